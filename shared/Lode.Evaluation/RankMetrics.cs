namespace Lode.Evaluation;

/// <summary>
/// How well a list of answer ranks scores. A rank is the 1-based position of the first returned passage that answers
/// a question (<see cref="EvaluationQuestion.IsAnsweredBy"/>), 0 when none of the passages looked at does.
/// </summary>
/// <param name="Questions">How many questions the numbers are over.</param>
/// <param name="HitAt1">Share of the questions (0–1) answered by the first passage; likewise at 3, 5 and 10.</param>
/// <param name="Mrr">Mean reciprocal rank: the mean of 1/rank, a question not answered counting 0.</param>
public sealed record RankMetrics(int Questions, double HitAt1, double HitAt3, double HitAt5, double HitAt10, double Mrr)
{
    /// <summary>The deepest cut-off reported: an evaluation looks at least this many passages per question.</summary>
    public const int DeepestCutoff = 10;

    /// <summary>The metrics of <paramref name="ranks"/>; all zero when there are none.</summary>
    public static RankMetrics Of(IReadOnlyCollection<int> ranks)
    {
        if (ranks.Count == 0) return new RankMetrics(0, 0, 0, 0, 0, 0);
        double HitAt(int cutoff) => (double)ranks.Count(rank => rank is > 0 && rank <= cutoff) / ranks.Count;
        return new RankMetrics(ranks.Count, HitAt(1), HitAt(3), HitAt(5), HitAt(DeepestCutoff),
            ranks.Sum(rank => rank > 0 ? 1.0 / rank : 0) / ranks.Count);
    }
}
