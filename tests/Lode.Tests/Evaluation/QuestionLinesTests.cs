using Lode.Evaluation;

namespace Lode.Tests.Evaluation;

public sealed class QuestionLinesTests
{
    private static Task<IReadOnlyList<EvaluationQuestion>> ReadAsync(string text) => QuestionLines.ReadAsync(new StringReader(text), default);

    [Fact]
    public async Task Each_line_is_a_question_blank_lines_are_skipped_and_other_fields_ignored()
    {
        var questions = await ReadAsync("""
            {"question": "Where are the piers?", "document": "handbook.pdf", "pages": [3, 4], "tags": ["keyword"], "id": "q1", "note": "p. 2"}

            {"Question": "Who signs?", "Document": "hr/policy.md", "Pages": [1]}

            """);

        Assert.Equal(2, questions.Count);
        Assert.Equal(("Where are the piers?", "handbook.pdf", "q1"), (questions[0].Question, questions[0].Document, questions[0].Id));
        Assert.Equal([3, 4], questions[0].Pages);
        Assert.Equal(["keyword"], questions[0].Tags!);
        Assert.Equal(("Who signs?", "hr/policy.md"), (questions[1].Question, questions[1].Document));
        Assert.Equal([1], questions[1].Pages);
        Assert.Null(questions[1].Tags);
        Assert.Null(questions[1].Id);
    }

    [Theory]
    [InlineData("{\"question\": \"q\", \"document\": \"a.pdf\"}", 2, "line 2: pages must list")]
    [InlineData("{\"question\": \"q\", \"document\": \"a.pdf\", \"pages\": [\"three\"]}", 2, "line 2: pages[0] has the wrong type")]
    [InlineData("{\"question\": \"q\", \"document\": \"a.pdf\", \"pages\": 3}", 2, "line 2: pages has the wrong type")]
    [InlineData("{\"question\": \"q\", \"document\": \"/a.pdf\", \"pages\": [3]}", 2, "line 2: document must be a key")]
    [InlineData("{\"question\": \"q\", \"document\": \"a.pdf\", \"pages\": [3]", 2, "line 2:")]
    [InlineData("[1, 2, 3]", 2, "line 2: is not a JSON object")]
    [InlineData("null", 2, "line 2: must be a JSON object, not null.")]
    [InlineData("pages: 3", 2, "line 2: is not a JSON object")]
    public async Task The_first_bad_line_stops_the_reading_with_its_number_and_problem(string badLine, int line, string message)
    {
        var text = "{\"question\": \"q\", \"document\": \"a.pdf\", \"pages\": [1]}\n" + badLine + "\n{\"also\": \"bad\"}\n";

        var error = await Assert.ThrowsAsync<QuestionFileException>(() => ReadAsync(text));

        Assert.Equal(line, error.Line);
        Assert.StartsWith(message, error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n")]
    public async Task A_file_without_questions_is_refused(string text)
    {
        var error = await Assert.ThrowsAsync<QuestionFileException>(() => ReadAsync(text));

        Assert.Equal(0, error.Line);
        Assert.Equal("The file holds no questions.", error.Message);
    }
}
