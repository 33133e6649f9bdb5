namespace Lode.Evaluation;

/// <summary>
/// A question of an evaluation set and where its answer is: a document (its key, or the end of its key after a
/// <c>/</c>) and the physical 1-based pages that answer it. One line of a question file (<see cref="QuestionLines"/>)
/// and one element of <c>questions</c> in <c>POST api/admin/eval</c>.
/// </summary>
/// <param name="Tags">Groups the question belongs to (style, topic, source…); the report gives metrics per tag.</param>
/// <param name="Id">The set's own name for the question, carried into the report.</param>
public sealed record EvaluationQuestion(
    string Question,
    string Document,
    IReadOnlyList<int> Pages,
    IReadOnlyList<string>? Tags = null,
    string? Id = null)
{
    public const int MaxDocumentChars = 1024;
    public const int MaxPages = 100;
    public const int MaxTags = 20;
    public const int MaxTagChars = 100;
    public const int MaxIdChars = 200;

    /// <summary>
    /// Whether a passage of <paramref name="key"/> spanning pages <paramref name="pageStart"/>–<paramref name="pageEnd"/>
    /// answers the question: the key is <see cref="Document"/> or ends with <c>/</c> + <see cref="Document"/>
    /// (keys are case-sensitive, as in S3), and the span holds one of <see cref="Pages"/>.
    /// </summary>
    public bool IsAnsweredBy(string key, int pageStart, int pageEnd) =>
        (key == Document || (key.Length > Document.Length && key.EndsWith(Document, StringComparison.Ordinal)
                                                          && key[^(Document.Length + 1)] == '/'))
        && Pages.Any(page => pageStart <= page && page <= pageEnd);

    /// <summary>What is wrong with the question as given (deserialized input may hold nulls), or null when nothing is.</summary>
    /// <param name="maxQuestionChars">The longest question the index accepts (<c>Retrieval:MaxQueryChars</c>).</param>
    public string? Problem(int maxQuestionChars = int.MaxValue)
    {
        if (string.IsNullOrWhiteSpace(Question)) return "question must be a non-empty string.";
        if (Question.Length > maxQuestionChars) return $"question must be at most {maxQuestionChars} characters.";
        if (string.IsNullOrWhiteSpace(Document)) return "document must name the document that answers (its key, or the end of it).";
        if (Document.Length > MaxDocumentChars) return $"document must be at most {MaxDocumentChars} characters.";
        // Neither can match a document's key: the question would count as missed whatever the index returns.
        if (Document.StartsWith('/') || Document.EndsWith('/'))
            return "document must be a key or the end of one, without a leading or trailing '/'.";
        if (Pages is null || Pages.Count == 0) return "pages must list the pages that answer the question, e.g. [3] or [3, 4].";
        if (Pages.Count > MaxPages) return $"pages must list at most {MaxPages} pages.";
        if (Pages.Any(page => page < 1)) return "pages must be physical page numbers, counted from 1.";
        if (Tags is not null && TagProblem(Tags) is { } tagProblem) return tagProblem;
        if (Id is not null && (Id.Length is 0 or > MaxIdChars || Id.Any(char.IsControl)))
            return $"id must be 1 to {MaxIdChars} characters without control characters.";
        return null;
    }

    private static string? TagProblem(IReadOnlyList<string> tags)
    {
        if (tags.Count > MaxTags) return $"tags must list at most {MaxTags} tags.";
        return tags.Any(tag => string.IsNullOrWhiteSpace(tag) || tag.Length > MaxTagChars || tag.Any(char.IsControl))
            ? $"tags must be non-empty strings of at most {MaxTagChars} characters without control characters."
            : null;
    }
}
