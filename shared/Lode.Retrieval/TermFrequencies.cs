namespace Lode.Retrieval;

/// <summary>
/// How common the words of the index are: PostgreSQL's element statistics of <c>chunks.tsv</c>
/// (<c>pg_stats.most_common_elems</c> and <c>most_common_elem_freqs</c>, gathered by ANALYZE from a sample), i.e. the
/// share of chunks holding each of the most common lexemes, and the number of chunks they were measured against. A
/// lexeme the list does not hold is rarer than its least common entry (<see cref="ListFloor"/>).
/// </summary>
internal sealed class TermFrequencies
{
    private readonly IReadOnlyDictionary<string, double> _shares;

    public TermFrequencies(IReadOnlyDictionary<string, double> shares, double chunks)
    {
        _shares = shares;
        Chunks = Math.Max(0, chunks);
        ListFloor = shares.Count == 0 ? 0 : shares.Values.Min();
    }

    /// <summary>No statistics (a table never analysed): every word counts as rare.</summary>
    public static TermFrequencies None { get; } = new(new Dictionary<string, double>(), 0);

    /// <summary>Chunks in the table when the statistics were taken (<c>pg_class.reltuples</c>).</summary>
    public double Chunks { get; }

    /// <summary>Share of chunks holding the least common listed lexeme.</summary>
    public double ListFloor { get; }

    public int Count => _shares.Count;

    /// <summary>Estimated chunks holding <paramref name="lexeme"/>, or null when the list does not hold it (rarer than its floor).</summary>
    public double? EstimatedChunks(string lexeme) => _shares.TryGetValue(lexeme, out var share) ? share * Chunks : null;
}
