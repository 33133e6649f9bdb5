using Lode.Evaluation;
using Lode.Retrieval;
using Lode.Retrieval.Evaluation;
using Lode.Tests.Support;
using static Lode.Tests.Evaluation.ScriptedRetriever;

namespace Lode.Tests.Evaluation;

/// <summary>
/// The metrics of five questions whose ranks were chosen by hand, with top 3 (so ranks are looked for in the first 10):
/// <code>
///            q1  q2  q3  q4  q5     tags: q1 keyword; q2 keyword, paraphrase; q3 paraphrase; q4 none; q5 keyword
///   hybrid    2   3   0   0   6
///   text      1   1  10   0   0
/// </code>
/// </summary>
public sealed class RetrievalEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 30, 0, TimeSpan.Zero);

    private static readonly EvaluationQuestion[] Questions =
    [
        new("alpha", "handbook.pdf", [3], ["keyword"], "q1"),
        new("beta", "guide.md", [1], ["keyword", "paraphrase"]),
        new("gamma", "report.pdf", [7, 9], ["paraphrase"]),
        new("delta", "report.pdf", [5]),
        new("epsilon", "manuals/report.pdf", [1], ["keyword"]),
    ];

    private static readonly Dictionary<(string, SearchMode), RetrievedChunk[]> Answers = new()
    {
        // A tie in score: the retriever's order decides, so the answer (pages 2-4 hold page 3) is second.
        [("alpha", SearchMode.Hybrid)] = [Passage("other.pdf", 3), Passage("manuals/handbook.pdf", 2, 4), Passage("manuals/handbook.pdf", 3, score: 0.4)],
        // "myguide.md" ends with the name but not after a '/'; page 2 is the wrong page; team/guide.md page 1 answers.
        [("beta", SearchMode.Hybrid)] = [Passage("notes/myguide.md", 1, score: 0.9), Passage("guide.md", 2, score: 0.8), Passage("team/guide.md", 1, score: 0.7)],
        [("gamma", SearchMode.Hybrid)] = [.. Unrelated(10)],
        // Nothing at all comes back for delta (hybrid): a miss with nothing returned instead.
        // Keys are case-sensitive: manuals/Report.pdf is not the document; the answer is sixth, beyond top 3.
        [("epsilon", SearchMode.Hybrid)] = [.. Unrelated(4), Passage("manuals/Report.pdf", 1), Passage("manuals/report.pdf", 1)],
        [("alpha", SearchMode.Text)] = [Passage("manuals/handbook.pdf", 3, text: "  The register\n for this part   is alpha.  ")],
        [("beta", SearchMode.Text)] = [Passage("guide.md", 1)],
        // Tenth: within the ranks looked for, so it counts for hit@10 and MRR (1/10).
        [("gamma", SearchMode.Text)] = [.. Unrelated(9), Passage("archive/report.pdf", 9, 10)],
        // Eleventh: beyond the ten looked for, so not found.
        [("delta", SearchMode.Text)] = [.. Unrelated(10), Passage("report.pdf", 5)],
    };

    private static async Task<(EvaluationReport Report, ScriptedRetriever Retriever)> EvaluateAsync(int top = 3)
    {
        var retriever = new ScriptedRetriever(Answers);
        var evaluator = new RetrievalEvaluator(retriever, new ManualClock(Now));
        var report = await evaluator.EvaluateAsync(Questions,
            new EvaluationOptions(["staff"], Bucket: "docs", Prefix: "manuals/", Top: top, Modes: [SearchMode.Hybrid, SearchMode.Text]), default);
        return (report, retriever);
    }

    [Fact]
    public async Task Each_question_gets_the_rank_of_the_first_passage_from_its_document_that_holds_one_of_its_pages()
    {
        var (report, _) = await EvaluateAsync();

        Assert.Equal([2, 3, 0, 0, 6], report.Questions.Select(q => q.Ranks["hybrid"]));
        Assert.Equal([1, 1, 10, 0, 0], report.Questions.Select(q => q.Ranks["text"]));
        Assert.Equal([1, 2, 3, 4, 5], report.Questions.Select(q => q.Number));
        Assert.Same(Questions[0], report.Questions[0].Question);
        Assert.Equal((Now, "docs", "manuals/", 3, 10), (report.EvaluatedAt, report.Bucket, report.Prefix, report.Top, report.Depth));
    }

    [Fact]
    public async Task Overall_metrics_equal_the_hand_computation()
    {
        var (report, _) = await EvaluateAsync();

        Assert.Equal(["hybrid", "text"], report.Modes.Select(m => m.Mode));
        // hybrid: hit@1 0/5, hit@3 and hit@5 2/5 (q1, q2), hit@10 3/5 (q5 at 6), MRR (1/2 + 1/3 + 1/6) / 5 = 0.2.
        AssertMetrics(new RankMetrics(5, 0, 0.4, 0.4, 0.6, 0.2), report.Modes[0].Overall);
        // text: q1 and q2 first, q3 tenth: hit@1..5 2/5, hit@10 3/5, MRR (1 + 1 + 1/10) / 5 = 0.42.
        AssertMetrics(new RankMetrics(5, 0.4, 0.4, 0.4, 0.6, 0.42), report.Modes[1].Overall);
    }

    [Fact]
    public async Task Tag_metrics_are_over_the_questions_of_each_tag_in_ordinal_order()
    {
        var (report, _) = await EvaluateAsync();
        var hybrid = report.Modes[0].Tags;
        var text = report.Modes[1].Tags;

        Assert.Equal(["keyword", "paraphrase"], hybrid.Select(t => t.Tag));
        // keyword = q1, q2, q5; paraphrase = q2, q3; q4 has no tag and counts only overall.
        AssertMetrics(new RankMetrics(3, 0, 2.0 / 3, 2.0 / 3, 1, (1.0 / 2 + 1.0 / 3 + 1.0 / 6) / 3), hybrid[0].Metrics);
        AssertMetrics(new RankMetrics(2, 0, 0.5, 0.5, 0.5, 1.0 / 3 / 2), hybrid[1].Metrics);
        AssertMetrics(new RankMetrics(3, 2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3), text[0].Metrics);
        AssertMetrics(new RankMetrics(2, 0.5, 0.5, 0.5, 1, (1 + 0.1) / 2), text[1].Metrics);
    }

    [Fact]
    public async Task Misses_are_the_questions_whose_answer_is_not_in_the_top_with_the_passages_returned_instead()
    {
        var (report, _) = await EvaluateAsync();

        Assert.Equal([("hybrid", 3, 0), ("hybrid", 4, 0), ("hybrid", 5, 6), ("text", 3, 10), ("text", 4, 0), ("text", 5, 0)],
            report.Misses.Select(m => (m.Mode, m.Number, m.Rank)));
        var epsilon = report.Misses[2];
        Assert.Same(Questions[4], epsilon.Question);
        Assert.Equal([1, 2, 3], epsilon.Returned.Select(p => p.Rank));
        Assert.All(epsilon.Returned, p => Assert.StartsWith("other/unrelated-", p.Key));
        Assert.Empty(report.Misses[1].Returned);
        Assert.Empty(report.Misses[5].Returned);
    }

    [Fact]
    public async Task Returned_passages_carry_where_they_are_their_score_and_a_folded_snippet()
    {
        var retriever = new ScriptedRetriever(Answers);
        var report = await new RetrievalEvaluator(retriever, new ManualClock(Now)).EvaluateAsync(
            [new EvaluationQuestion("alpha", "not-there.pdf", [1])], new EvaluationOptions(["staff"], Top: 2, Modes: [SearchMode.Text], SnippetChars: 14), default);

        var passage = Assert.Single(Assert.Single(report.Misses).Returned);
        Assert.Equal(new ReturnedPassage(1, "docs", "manuals/handbook.pdf", 3, 3, "The register…", 0.5), passage);
    }

    [Fact]
    public async Task Every_search_reads_as_the_caller_within_the_filter_and_looks_at_ten_passages()
    {
        var (_, retriever) = await EvaluateAsync();

        Assert.Equal(10, retriever.Requests.Count);
        Assert.All(retriever.Requests, request =>
        {
            Assert.Equal(["staff"], request.ReaderGroups);
            Assert.Equal(new SearchFilter("docs", "manuals/"), request.Filter);
            Assert.Equal(10, request.Top);
        });
        Assert.Equal(Questions.Select(q => q.Question).Concat(Questions.Select(q => q.Question)), retriever.Requests.Select(r => r.Query));
        Assert.Equal([.. Enumerable.Repeat(SearchMode.Hybrid, 5), .. Enumerable.Repeat(SearchMode.Text, 5)], retriever.Requests.Select(r => r.Mode));
    }

    [Fact]
    public async Task A_top_above_ten_looks_that_deep_and_a_rank_between_ten_and_top_is_no_miss_nor_a_hit_at_ten()
    {
        var retriever = new ScriptedRetriever(new Dictionary<(string, SearchMode), RetrievedChunk[]>
        {
            [("deep", SearchMode.Vector)] = [.. Unrelated(10), Passage("report.pdf", 5)],
        });
        var report = await new RetrievalEvaluator(retriever, new ManualClock(Now)).EvaluateAsync(
            [new EvaluationQuestion("deep", "report.pdf", [5])], new EvaluationOptions(["staff"], Top: 12, Modes: [SearchMode.Vector]), default);

        Assert.Equal(12, Assert.Single(retriever.Requests).Top);
        Assert.Equal(12, report.Depth);
        Assert.Equal(11, report.Questions[0].Ranks["vector"]);
        AssertMetrics(new RankMetrics(1, 0, 0, 0, 0, 1.0 / 11), report.Modes[0].Overall);
        Assert.Empty(report.Misses);
    }

    [Fact]
    public async Task Without_modes_all_three_are_compared_in_the_order_hybrid_vector_text()
    {
        var retriever = new ScriptedRetriever(Answers);
        var report = await new RetrievalEvaluator(retriever, new ManualClock(Now)).EvaluateAsync([Questions[0]], new EvaluationOptions(["staff"]), default);

        Assert.Equal(["hybrid", "vector", "text"], report.Modes.Select(m => m.Mode));
        Assert.Equal(5, report.Top);
        Assert.Equal(new SearchFilter(), retriever.Requests[0].Filter);
    }

    [Fact]
    public async Task Invalid_input_is_refused_before_any_search()
    {
        var retriever = new ScriptedRetriever(Answers);
        var evaluator = new RetrievalEvaluator(retriever, new ManualClock(Now));

        await Assert.ThrowsAsync<ArgumentException>(() => evaluator.EvaluateAsync([], new EvaluationOptions(["staff"]), default));
        var bad = await Assert.ThrowsAsync<ArgumentException>(() =>
            evaluator.EvaluateAsync([Questions[0], Questions[1] with { Pages = [] }], new EvaluationOptions(["staff"]), default));
        Assert.StartsWith("Question 2: pages", bad.Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => evaluator.EvaluateAsync(Questions, new EvaluationOptions(["staff"], Top: 0), default));
        await Assert.ThrowsAsync<ArgumentException>(() => evaluator.EvaluateAsync(Questions, new EvaluationOptions(["staff"], Modes: []), default));
        Assert.Empty(retriever.Requests);
    }

    private static void AssertMetrics(RankMetrics expected, RankMetrics actual)
    {
        Assert.Equal(expected.Questions, actual.Questions);
        Assert.Equal(expected.HitAt1, actual.HitAt1, 12);
        Assert.Equal(expected.HitAt3, actual.HitAt3, 12);
        Assert.Equal(expected.HitAt5, actual.HitAt5, 12);
        Assert.Equal(expected.HitAt10, actual.HitAt10, 12);
        Assert.Equal(expected.Mrr, actual.Mrr, 12);
    }
}
