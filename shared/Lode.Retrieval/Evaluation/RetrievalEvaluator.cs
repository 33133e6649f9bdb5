using Lode.Evaluation;

namespace Lode.Retrieval.Evaluation;

/// <summary>
/// Checks an index against questions whose answers are known: runs every question through <see cref="IRetriever"/> in
/// each mode, as the caller (<see cref="EvaluationOptions.ReaderGroups"/>), and ranks where the answer came back
/// (<see cref="EvaluationQuestion.IsAnsweredBy"/>). A rank is the position in the list the retriever returned, so
/// passages of equal score keep the retriever's order. Questions run one at a time: an evaluation must not crowd out
/// the people asking questions of the same index.
/// </summary>
public sealed class RetrievalEvaluator(IRetriever retriever, TimeProvider clock)
{
    /// <exception cref="ArgumentException">No questions, an invalid question, or options out of range.</exception>
    public async Task<EvaluationReport> EvaluateAsync(IReadOnlyList<EvaluationQuestion> questions, EvaluationOptions options,
        CancellationToken cancellationToken)
    {
        Check(questions, options);
        var evaluatedAt = clock.GetUtcNow();
        var modes = (options.Modes ?? EvaluationOptions.AllModes).Distinct().ToList();
        var depth = Math.Max(RankMetrics.DeepestCutoff, options.Top);
        var filter = new SearchFilter(options.Bucket, options.Prefix);
        var ranks = modes.ToDictionary(mode => mode, _ => new int[questions.Count]);
        var misses = new List<EvaluationMiss>();

        foreach (var mode in modes)
        {
            for (var i = 0; i < questions.Count; i++)
            {
                var question = questions[i];
                var found = await retriever.SearchAsync(
                    new SearchRequest(question.Question, options.ReaderGroups, depth, filter, mode), cancellationToken);
                var rank = RankOfAnswer(question, found);
                ranks[mode][i] = rank;
                if (rank == 0 || rank > options.Top)
                    misses.Add(new EvaluationMiss(SearchModeNames.Of(mode), i + 1, question, rank, Returned(found, options)));
            }
        }

        return new EvaluationReport(evaluatedAt, options.Bucket, options.Prefix, options.Top, depth,
            modes.Select(mode => Scores(mode, questions, ranks[mode])).ToList(),
            questions.Select((question, i) => new QuestionRanks(i + 1, question,
                modes.ToDictionary(SearchModeNames.Of, mode => ranks[mode][i]))).ToList(),
            misses);
    }

    private static int RankOfAnswer(EvaluationQuestion question, IReadOnlyList<RetrievedChunk> found)
    {
        for (var i = 0; i < found.Count; i++)
            if (question.IsAnsweredBy(found[i].Key, found[i].PageStart, found[i].PageEnd)) return i + 1;
        return 0;
    }

    private static List<ReturnedPassage> Returned(IReadOnlyList<RetrievedChunk> found, EvaluationOptions options) =>
        found.Take(options.Top)
            .Select((chunk, i) => new ReturnedPassage(i + 1, chunk.Bucket, chunk.Key, chunk.PageStart, chunk.PageEnd,
                TextSnippet.Of(chunk.Text, options.SnippetChars), chunk.Score))
            .ToList();

    private static ModeScores Scores(SearchMode mode, IReadOnlyList<EvaluationQuestion> questions, int[] ranks)
    {
        var tags = questions.SelectMany(q => q.Tags ?? []).Distinct().Order(StringComparer.Ordinal);
        return new ModeScores(SearchModeNames.Of(mode), RankMetrics.Of(ranks),
            tags.Select(tag => new TagScores(tag, RankMetrics.Of(
                ranks.Where((_, i) => questions[i].Tags?.Contains(tag) == true).ToList()))).ToList());
    }

    private static void Check(IReadOnlyList<EvaluationQuestion> questions, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.ReaderGroups);
        if (questions.Count == 0) throw new ArgumentException("An evaluation needs at least one question.", nameof(questions));
        for (var i = 0; i < questions.Count; i++)
            if ((questions[i] is null ? "it is missing." : questions[i].Problem()) is { } problem)
                throw new ArgumentException($"Question {i + 1}: {problem}", nameof(questions));
        if (options.Top < 1) throw new ArgumentOutOfRangeException(nameof(options), "Top must be at least 1.");
        if (options.Modes is { Count: 0 }) throw new ArgumentException("Name at least one search mode.", nameof(options));
        if (options.SnippetChars < 1) throw new ArgumentOutOfRangeException(nameof(options), "SnippetChars must be at least 1.");
    }
}
