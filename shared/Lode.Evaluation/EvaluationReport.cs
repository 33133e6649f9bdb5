namespace Lode.Evaluation;

/// <summary>
/// What an evaluation found: for each search mode, the metrics over all questions and per tag; each question's rank
/// in each mode; and the misses, with what was returned instead. Returned by <c>POST api/admin/eval</c> and written
/// by <c>lode eval</c> as its JSON report.
/// </summary>
/// <param name="Bucket">The bucket the searches were limited to, if any; <paramref name="Prefix"/> likewise.</param>
/// <param name="Top">A question is missed in a mode when its answer is not among this many first passages.</param>
/// <param name="Depth">Passages looked at per question and mode (at least <see cref="RankMetrics.DeepestCutoff"/>);
/// an answer found deeper has rank 0.</param>
/// <param name="Questions">Every question, in the order given, with its rank in each mode.</param>
/// <param name="Misses">By mode, then question: the questions whose answer was not in the first <paramref name="Top"/>.</param>
public sealed record EvaluationReport(
    DateTimeOffset EvaluatedAt,
    string? Bucket,
    string? Prefix,
    int Top,
    int Depth,
    IReadOnlyList<ModeScores> Modes,
    IReadOnlyList<QuestionRanks> Questions,
    IReadOnlyList<EvaluationMiss> Misses);

/// <summary>One search mode's metrics: over every question, and over the questions of each tag (ordinal order).</summary>
public sealed record ModeScores(string Mode, RankMetrics Overall, IReadOnlyList<TagScores> Tags);

public sealed record TagScores(string Tag, RankMetrics Metrics);

/// <summary>A question (<paramref name="Number"/>: 1-based, in the order given) and its answer's rank by mode (0: not found).</summary>
public sealed record QuestionRanks(int Number, EvaluationQuestion Question, IReadOnlyDictionary<string, int> Ranks);

/// <summary>A question whose answer was not in the first <see cref="EvaluationReport.Top"/> passages of a mode.</summary>
/// <param name="Rank">Where the answer was found (beyond top), or 0 when not within <see cref="EvaluationReport.Depth"/>.</param>
/// <param name="Returned">The first <see cref="EvaluationReport.Top"/> passages, returned instead.</param>
public sealed record EvaluationMiss(string Mode, int Number, EvaluationQuestion Question, int Rank, IReadOnlyList<ReturnedPassage> Returned);

/// <summary>A passage a search returned: its place in the list, where it is, the start of its text, and its score.</summary>
public sealed record ReturnedPassage(int Rank, string Bucket, string Key, int Page, int PageEnd, string Snippet, double Score);
