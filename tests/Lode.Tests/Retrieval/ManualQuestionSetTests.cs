namespace Lode.Tests.Retrieval;

/// <summary>
/// The manual question set (Retrieval/Manuals) is well-formed: enough questions over enough manuals, every question
/// points at exactly one object and at pages that exist, at least half asked in a user's own words, and the tune/check
/// split is the seeded shuffle (nobody re-split it by hand). No database, no download: corpus.json lists the files of
/// the HTML manual.
/// </summary>
public sealed class ManualQuestionSetTests
{
    private static readonly IReadOnlyList<ManualDocument> Documents = ManualsCorpus.LoadDocuments();
    private static readonly IReadOnlyList<ManualQuestion> Tune = ManualQuestionSet.Tune;
    private static readonly IReadOnlyList<ManualQuestion> Check = ManualQuestionSet.Check;
    private static readonly IReadOnlyList<ManualQuestion> All = [.. Tune, .. Check];

    private static ManualDocument DocumentOf(ManualQuestion q) =>
        Documents.Single(d => d.ObjectKeys.Contains(ManualsCorpus.Resolve(Documents, q.Document).Single()));

    [Fact]
    public void There_are_at_least_150_questions_with_unique_ids_and_unique_wording()
    {
        Assert.True(All.Count >= 150, $"{All.Count} questions");
        Assert.Equal(All.Count, All.Select(q => q.Id).Distinct(StringComparer.Ordinal).Count());
        var wordings = All.Select(q => string.Join(' ', q.Question.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal(All.Count, wordings.Distinct(StringComparer.Ordinal).Count());
        Assert.All(All, q =>
        {
            Assert.False(string.IsNullOrWhiteSpace(q.Question), q.Id);
            Assert.Contains("\"", q.Note); // the note quotes the passage that answers the question
        });
    }

    [Fact]
    public void Every_question_names_exactly_one_object_of_the_corpus()
    {
        Assert.All(All, q =>
        {
            var keys = ManualsCorpus.Resolve(Documents, q.Document);
            Assert.True(keys.Count == 1, $"{q.Id}: '{q.Document}' names {keys.Count} objects: {string.Join(", ", keys)}");
        });
    }

    [Fact]
    public void Pages_exist_in_the_pdf_and_html_files_are_page_1()
    {
        Assert.All(All, q =>
        {
            var document = DocumentOf(q);
            Assert.NotEmpty(q.Pages);
            Assert.Equal(q.Pages.Count, q.Pages.Distinct().Count());
            if (document.IsDirectory)
                Assert.Equal(new[] { 1 }, q.Pages);
            else
                Assert.All(q.Pages, page => Assert.InRange(page, 1, document.Pages!.Value));
        });
    }

    [Fact]
    public void At_least_six_manuals_are_asked_about_each_with_at_least_20_questions()
    {
        var perDocument = All.GroupBy(DocumentOf).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(perDocument.Count >= 6, $"{perDocument.Count} documents referenced");
        Assert.Equal(Documents.Count, perDocument.Count);
        Assert.All(perDocument, p => Assert.True(p.Value >= 20, $"{p.Key.Key}: {p.Value} questions"));
    }

    [Fact]
    public void At_least_half_are_paraphrases_overall_and_about_half_in_each_split()
    {
        Assert.All(All, q => Assert.Contains(q.Style, new[] { "paraphrase", "keyword" }));
        Assert.All(All, q => Assert.DoesNotContain(q.Tags.Skip(1), t => t is "paraphrase" or "keyword"));
        static double Share(IReadOnlyList<ManualQuestion> qs) => (double)qs.Count(q => q.Style == "paraphrase") / qs.Count;
        Assert.True(Share(All) >= 0.5, $"paraphrase share {Share(All):P1}");
        Assert.True(Share(Tune) >= 0.45, $"paraphrase share of tune {Share(Tune):P1}");
        Assert.True(Share(Check) >= 0.45, $"paraphrase share of check {Share(Check):P1}");
    }

    [Fact]
    public void The_split_is_the_seeded_shuffle_of_the_ids()
    {
        var tune = ManualQuestionSet.Split(All.Select(q => q.Id));
        Assert.Equal((All.Count + 1) / 2, Tune.Count);
        Assert.Equal(tune.Order(StringComparer.Ordinal), Tune.Select(q => q.Id).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Check, q => tune.Contains(q.Id));
    }

    [Fact]
    public void The_corpus_is_pinned_and_sized_for_ci()
    {
        Assert.Equal(Documents.Count, Documents.Select(d => d.Key).Distinct(StringComparer.Ordinal).Count());
        Assert.All(Documents, d =>
        {
            Assert.Matches("^[0-9a-f]{64}$", d.Sha256);
            if (d.IsDirectory)
            {
                Assert.NotEmpty(d.Include);
                Assert.NotEmpty(d.Files);
                Assert.All(d.Files, f => Assert.Contains(d.Include, e => f.EndsWith(e, StringComparison.Ordinal)));
            }
            else
            {
                Assert.True(d.Pages is > 0 and <= 450, $"{d.Key}: {d.Pages} pages");
            }
        });
        Assert.Contains(Documents, d => d.IsDirectory);
        var pdfPages = Documents.Where(d => !d.IsDirectory).Sum(d => d.Pages!.Value);
        Assert.InRange(pdfPages, 800, 1400); // ~15 chunks/s embedding: this bounds the quality test's indexing time
    }
}
