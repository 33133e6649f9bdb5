using Lode.Retrieval;

namespace Lode.Tests.Evaluation;

/// <summary>
/// An <see cref="IRetriever"/> that answers each (query, mode) with a fixed list, cut to the request's top as the real
/// one is, and remembers every request: the metric tests need ranks they chose by hand.
/// </summary>
public sealed class ScriptedRetriever(IReadOnlyDictionary<(string Query, SearchMode Mode), RetrievedChunk[]> answers) : IRetriever
{
    public List<SearchRequest> Requests { get; } = [];

    public Task<IReadOnlyList<RetrievedChunk>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        IReadOnlyList<RetrievedChunk> found = answers.TryGetValue((request.Query, request.Mode), out var list) ? list.Take(request.Top).ToList() : [];
        return Task.FromResult(found);
    }

    /// <summary>A passage of <paramref name="key"/> (bucket docs) on pages <paramref name="page"/>–<paramref name="pageEnd"/>.</summary>
    public static RetrievedChunk Passage(string key, int page, int? pageEnd = null, double score = 0.5, string text = "passage text") =>
        new(Guid.NewGuid(), "docs", key, page, pageEnd ?? page, text, score);

    /// <summary><paramref name="count"/> passages of a document no question asks for.</summary>
    public static IEnumerable<RetrievedChunk> Unrelated(int count) => Enumerable.Range(1, count).Select(i => Passage($"other/unrelated-{i}.pdf", 1));
}
