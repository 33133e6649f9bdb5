using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lode.Retrieval;

/// <summary>
/// The word statistics the full-text list chooses its candidates by (<see cref="CandidateWords"/>), read from
/// <c>pg_stats</c> at most once per <see cref="RetrievalOptions.TermStatisticsRefresh"/> and shared by every search.
/// PostgreSQL keeps them itself: ANALYZE (run by autovacuum as chunks change) samples <c>chunks.tsv</c> and lists its
/// most common lexemes with the share of rows holding each; migration 10 widens the list to 10,000 lexemes. One
/// search refreshes an expired copy while the others keep using it; statistics that cannot be read count as none
/// (every word rare), which the candidate cap still bounds.
/// </summary>
public sealed class TermStatistics(NpgsqlDataSource dataSource, IOptions<RetrievalOptions> options, TimeProvider time, ILogger<TermStatistics> logger)
{
    // The column's element statistics beside the row count they were measured against. most_common_elems is anyarray:
    // its text form is an array literal of the lexemes. most_common_elem_freqs holds one share per lexeme, then the
    // smallest and largest share (and for arrays the share of null elements), which are not needed here.
    private const string Sql = """
        SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, greatest(c.reltuples, 0)::float8
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = 'tsv' AND NOT s.inherited
        WHERE c.oid = 'chunks'::regclass
        """;

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private (TermFrequencies Frequencies, DateTimeOffset ReadAt)? _current;

    internal async ValueTask<TermFrequencies> GetAsync(CancellationToken ct)
    {
        var current = _current;
        if (current is { } fresh && time.GetUtcNow() - fresh.ReadAt < options.Value.TermStatisticsRefresh) return fresh.Frequencies;

        // The first search waits for the statistics; later ones keep the expired copy while one of them refreshes it.
        if (current is { } stale && !await _refreshing.WaitAsync(0, ct)) return stale.Frequencies;
        if (current is null) await _refreshing.WaitAsync(ct);
        try
        {
            if (_current is { } other && !ReferenceEquals(other.Frequencies, current?.Frequencies)) return other.Frequencies;
            var frequencies = await ReadAsync(ct);
            _current = (frequencies, time.GetUtcNow());
            return frequencies;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task<TermFrequencies> ReadAsync(CancellationToken ct)
    {
        try
        {
            await using var command = dataSource.CreateCommand(Sql);
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct) || reader.IsDBNull(0) || reader.IsDBNull(1)) return TermFrequencies.None;
            var lexemes = reader.GetFieldValue<string[]>(0);
            var shares = reader.GetFieldValue<float[]>(1);
            var byLexeme = new Dictionary<string, double>(lexemes.Length, StringComparer.Ordinal);
            for (var i = 0; i < lexemes.Length && i < shares.Length; i++) byLexeme[lexemes[i]] = shares[i];
            return new TermFrequencies(byLexeme, reader.GetDouble(2));
        }
        catch (Exception e) when (e is NpgsqlException or InvalidCastException && !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Word statistics of chunks.tsv could not be read; every query word counts as rare until the next read");
            return TermFrequencies.None;
        }
    }
}
