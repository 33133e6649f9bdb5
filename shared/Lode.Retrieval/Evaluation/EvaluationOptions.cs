namespace Lode.Retrieval.Evaluation;

/// <summary>How a <see cref="RetrievalEvaluator"/> runs the questions.</summary>
/// <param name="ReaderGroups">The caller's groups: every search reads as the caller, so the report says how the index
/// serves that caller, and shows nothing they may not read.</param>
/// <param name="Bucket">Only this bucket, when set; <paramref name="Prefix"/>: only keys starting with it (literal).</param>
/// <param name="Top">A question is missed in a mode when its answer is not among this many first passages.</param>
/// <param name="Modes">The search modes compared (default: hybrid, vector, text), each over every question.</param>
/// <param name="SnippetChars">Length of the snippet of each passage returned instead of a missed answer.</param>
public sealed record EvaluationOptions(
    IReadOnlyCollection<string> ReaderGroups,
    string? Bucket = null,
    string? Prefix = null,
    int Top = 5,
    IReadOnlyList<SearchMode>? Modes = null,
    int SnippetChars = 160)
{
    public static IReadOnlyList<SearchMode> AllModes { get; } = [SearchMode.Hybrid, SearchMode.Vector, SearchMode.Text];
}
