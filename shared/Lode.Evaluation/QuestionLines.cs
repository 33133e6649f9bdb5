using System.Text.Json;

namespace Lode.Evaluation;

/// <summary>A question file that cannot be used, with the line (1-based) at fault; 0 when the file as a whole is.</summary>
public sealed class QuestionFileException(int line, string problem)
    : Exception(line > 0 ? $"line {line}: {problem}" : problem)
{
    public int Line { get; } = line;
}

/// <summary>
/// Reads a question file in JSON Lines: one <see cref="EvaluationQuestion"/> object per line
/// (<c>{"question": "...", "document": "handbook.pdf", "pages": [7], "tags": ["keyword"], "id": "q7"}</c>; other
/// fields, such as a note, are ignored). Blank lines are skipped; the first line that is not a valid question stops
/// the reading with its line number.
/// </summary>
public static class QuestionLines
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <exception cref="QuestionFileException">A line is not a valid question, or there is none.</exception>
    public static async Task<IReadOnlyList<EvaluationQuestion>> ReadAsync(TextReader reader, CancellationToken ct,
        int maxQuestionChars = int.MaxValue)
    {
        var questions = new List<EvaluationQuestion>();
        var number = 0;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var question = Parse(line, number);
            if (question.Problem(maxQuestionChars) is { } problem) throw new QuestionFileException(number, problem);
            questions.Add(question);
        }
        return questions.Count > 0 ? questions : throw new QuestionFileException(0, "The file holds no questions.");
    }

    private static EvaluationQuestion Parse(string line, int number)
    {
        try
        {
            return JsonSerializer.Deserialize<EvaluationQuestion>(line, Json)
                   ?? throw new QuestionFileException(number, "must be a JSON object, not null.");
        }
        catch (JsonException e)
        {
            // The path names the field of the wrong type ($.pages[0]); the message alone would not.
            throw new QuestionFileException(number, e.Path is { Length: > 1 } path
                ? $"{path[2..]} has the wrong type or is not valid JSON (a question is {{\"question\": \"...\", \"document\": \"...\", \"pages\": [1]}})."
                : "is not a JSON object (a question is {\"question\": \"...\", \"document\": \"...\", \"pages\": [1]}).");
        }
    }
}
