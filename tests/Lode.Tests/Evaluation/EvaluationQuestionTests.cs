using Lode.Evaluation;

namespace Lode.Tests.Evaluation;

public sealed class EvaluationQuestionTests
{
    [Theory]
    [InlineData("handbook.pdf", "handbook.pdf", 3, 3, true)]
    [InlineData("handbook.pdf", "manuals/handbook.pdf", 3, 3, true)]
    [InlineData("manuals/handbook.pdf", "manuals/handbook.pdf", 3, 3, true)]
    [InlineData("manuals/handbook.pdf", "old/manuals/handbook.pdf", 3, 3, true)]
    [InlineData("handbook.pdf", "manuals/my-handbook.pdf", 3, 3, false)]   // the end of the name, not after a '/'
    [InlineData("handbook.pdf", "Handbook.pdf", 3, 3, false)]              // keys are case-sensitive
    [InlineData("handbook.pdf", "handbook.pdf.bak", 3, 3, false)]
    [InlineData("manuals/handbook.pdf", "handbook.pdf", 3, 3, false)]      // a longer document than the key
    [InlineData("handbook.pdf", "handbook.pdf", 1, 2, false)]              // spans that miss pages 3 and 7
    [InlineData("handbook.pdf", "handbook.pdf", 4, 6, false)]
    [InlineData("handbook.pdf", "handbook.pdf", 2, 3, true)]               // spans holding page 3 or 7 at an edge
    [InlineData("handbook.pdf", "handbook.pdf", 7, 9, true)]
    [InlineData("handbook.pdf", "handbook.pdf", 1, 12, true)]
    public void A_passage_answers_when_its_key_is_the_document_or_ends_with_it_and_its_pages_hold_one_asked_for(
        string document, string key, int pageStart, int pageEnd, bool answers) =>
        Assert.Equal(answers, new EvaluationQuestion("q", document, [3, 7]).IsAnsweredBy(key, pageStart, pageEnd));

    public static TheoryData<EvaluationQuestion, string> Invalid() => new()
    {
        { new EvaluationQuestion(" ", "a.pdf", [1]), "question must be a non-empty string" },
        { new EvaluationQuestion(null!, "a.pdf", [1]), "question must be a non-empty string" },
        { new EvaluationQuestion("q", "", [1]), "document must name" },
        { new EvaluationQuestion("q", "/a.pdf", [1]), "leading or trailing '/'" },
        { new EvaluationQuestion("q", "hr/", [1]), "leading or trailing '/'" },
        { new EvaluationQuestion("q", new string('d', 1025), [1]), "at most 1024 characters" },
        { new EvaluationQuestion("q", "a.pdf", null!), "pages must list" },
        { new EvaluationQuestion("q", "a.pdf", []), "pages must list" },
        { new EvaluationQuestion("q", "a.pdf", [1, 0]), "counted from 1" },
        { new EvaluationQuestion("q", "a.pdf", [.. Enumerable.Range(1, 101)]), "at most 100 pages" },
        { new EvaluationQuestion("q", "a.pdf", [1], ["ok", ""]), "tags must be non-empty" },
        { new EvaluationQuestion("q", "a.pdf", [1], ["line\nbreak"]), "tags must be non-empty" },
        { new EvaluationQuestion("q", "a.pdf", [1], [.. Enumerable.Range(1, 21).Select(i => $"t{i}")]), "at most 20 tags" },
        { new EvaluationQuestion("q", "a.pdf", [1], Id: ""), "id must be" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void An_invalid_question_names_its_problem(EvaluationQuestion question, string problem) =>
        Assert.Contains(problem, question.Problem());

    [Fact]
    public void A_question_longer_than_the_index_accepts_is_invalid_and_a_complete_one_is_valid()
    {
        Assert.Equal("question must be at most 5 characters.", new EvaluationQuestion("sixsix", "a.pdf", [1]).Problem(maxQuestionChars: 5));
        Assert.Null(new EvaluationQuestion("five?", "hr/a.pdf", [1, 2], ["keyword"], "q1").Problem(maxQuestionChars: 5));
    }

    [Fact]
    public void Metrics_of_no_ranks_are_zero()
    {
        Assert.Equal(new RankMetrics(0, 0, 0, 0, 0, 0), RankMetrics.Of([]));
    }
}
