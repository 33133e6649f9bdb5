using System.Diagnostics;
using Lode.Database.Generations;
using Lode.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Pgvector;

namespace Lode.Retrieval;

/// <summary>
/// Hybrid search in PostgreSQL, in one round trip: the nearest chunks by embedding (pgvector HNSW) and the best
/// full-text matches (GIN, <c>ts_rank</c>; see <see cref="TextQuery"/>), fused by reciprocal rank. Each search runs on
/// the current index generation as it reads it once (<see cref="CurrentIndexGeneration"/>): the query is embedded with
/// that generation's model and every chunk query is kept to that generation, so a search running across a switch
/// returns the old generation's results, never a mix. The query is embedded once per call.
/// Filters apply inside both candidate queries, and the HNSW scan is iterative, so a narrow filter still yields
/// full candidate lists. Chunks of every document row are served, whatever its status: a document being re-indexed
/// (<c>pending</c>) keeps its previous chunks until the new ones replace them in one transaction, and a
/// <c>failed</c> document has none.
/// </summary>
public sealed class HybridRetriever(
    NpgsqlDataSource dataSource,
    IEmbeddingModelRegistry embedders,
    CurrentIndexGeneration currentGeneration,
    IOptions<RetrievalOptions> options,
    ILogger<HybridRetriever> logger,
    TermStatistics? termStatistics = null) : IRetriever
{
    // How many candidates beyond the top a single-list search fetches (at most one per result) for identical passages
    // to collapse into. Kept small: a LIMIT well beyond hnsw.ef_search makes the planner give up the HNSW index.
    private const int DuplicateSlack = 8;

    private readonly RetrievalOptions _options = options.Value;
    private readonly TermStatistics _termStatistics =
        termStatistics ?? new TermStatistics(dataSource, options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<TermStatistics>.Instance);

    /// <exception cref="SearchRequestException">The request is outside <see cref="SearchRequestRules"/>.</exception>
    public async Task<IReadOnlyList<RetrievedChunk>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = CheckedQuery(request);
        if (!CanMatch(request)) return [];

        var generation = await currentGeneration.GetAsync(cancellationToken);
        ReadOnlyMemory<float>? vector = null;
        if (request.Mode != SearchMode.Text)
        {
            vector = (await embedders.Generator(generation.Model).GenerateQueryEmbeddingAsync(query, cancellationToken)).Vector;
        }
        return await RunAsync(request with { Query = query }, generation, vector, exact: false, cancellationToken);
    }

    /// <summary>
    /// Search with a vector the caller already has. <paramref name="exact"/> (vector mode only) orders by an
    /// expression the HNSW index cannot serve, so every distance is computed: the ground truth that HNSW recall is
    /// measured against.
    /// </summary>
    internal async Task<IReadOnlyList<RetrievedChunk>> SearchWithVectorAsync(
        SearchRequest request, ReadOnlyMemory<float> vector, bool exact, CancellationToken cancellationToken)
    {
        if (exact && request.Mode != SearchMode.Vector) throw new ArgumentException("Exact search is vector search only.", nameof(exact));
        var query = CheckedQuery(request);
        if (!CanMatch(request)) return [];
        var generation = await currentGeneration.GetAsync(cancellationToken);
        return await RunAsync(request with { Query = query }, generation, vector, exact, cancellationToken);
    }

    /// <summary>
    /// The plan of a search as PostgreSQL ran it (<c>EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)</c>): how many chunks each
    /// list looked at, which indexes served it. A diagnostic for tests and benchmarks; the search's results are discarded.
    /// </summary>
    internal async Task<string> ExplainAsync(SearchRequest request, ReadOnlyMemory<float>? vector, CancellationToken ct)
    {
        var query = CheckedQuery(request);
        var generation = await currentGeneration.GetAsync(ct);
        await using var batch = await PrepareAsync(request with { Query = query }, generation, vector, exact: false, explain: true, ct);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct); // past the settings
        await reader.ReadAsync(ct);
        return reader.GetString(0);
    }

    private async Task<IReadOnlyList<RetrievedChunk>> RunAsync(
        SearchRequest request, IndexGeneration generation, ReadOnlyMemory<float>? vector, bool exact, CancellationToken ct)
    {
        var timer = Stopwatch.StartNew();
        await using var batch = await PrepareAsync(request, generation, vector, exact, explain: false, ct);
        var results = new List<RetrievedChunk>(request.Top);
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            await reader.NextResultAsync(ct); // past the settings
            while (await reader.ReadAsync(ct))
            {
                results.Add(new RetrievedChunk(
                    ChunkId: reader.GetGuid(0),
                    Bucket: reader.GetString(1),
                    Key: reader.GetString(2),
                    PageStart: reader.GetInt32(3),
                    PageEnd: reader.GetInt32(4),
                    Text: reader.GetString(5),
                    Score: reader.GetDouble(6))
                {
                    HeadingPath = reader.GetFieldValue<string[]>(7),
                    Title = reader.IsDBNull(8) ? null : reader.GetString(8),
                    IsNavigation = reader.GetBoolean(9),
                    AlsoIn = reader.IsDBNull(10) ? [] : ChunkLocation.ListFromJson(reader.GetString(10)),
                    FromOcr = reader.GetBoolean(11),
                });
            }
        }
        logger.LogDebug("{Mode} search{Exact} on index generation {Generation} returned {Count} chunks in {Elapsed} ms",
            request.Mode, exact ? " (exact)" : "", generation.Id, results.Count, timer.ElapsedMilliseconds);
        return results;
    }

    // The search as one batch: the planner settings (SearchSql.Settings), then the statement.
    private async Task<NpgsqlBatch> PrepareAsync(
        SearchRequest request, IndexGeneration generation, ReadOnlyMemory<float>? vector, bool exact, bool explain, CancellationToken ct)
    {
        (TextQuery Query, CandidateWords Candidates)? text = request.Mode == SearchMode.Vector ? null : await TextListAsync(request.Query, ct);
        var batch = dataSource.CreateBatch();

        var settings = new SqlParameters();
        var randomPageCost = settings.Add(_options.RandomPageCost.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var hnsw = request.Mode != SearchMode.Text && !exact
            ? (settings.Add(_options.EfSearch.ToString(System.Globalization.CultureInfo.InvariantCulture)),
               settings.Add(_options.IterativeScan),
               settings.Add(_options.MaxScanTuples.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            : ((string, string, string)?)null;
        var settingsCommand = new NpgsqlBatchCommand(
            SearchSql.Settings(randomPageCost, hnsw, textByIndex: text is not null && _options.TextCandidatesByIndex));
        settings.CopyTo(settingsCommand.Parameters);
        batch.BatchCommands.Add(settingsCommand);

        var parameters = new SqlParameters();
        var sql = BuildSearch(request, generation, vector, text, exact, parameters);
        var search = new NpgsqlBatchCommand(explain ? "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql : sql);
        parameters.CopyTo(search.Parameters);
        batch.BatchCommands.Add(search);
        return batch;
    }

    /// <summary>
    /// The query as the text list reads it, and the lexemes its candidates are chosen by: PostgreSQL stems the words
    /// with the configuration the index is built with (one short round trip), the cached statistics say how common
    /// each lexeme is.
    /// </summary>
    private async Task<(TextQuery Query, CandidateWords Candidates)> TextListAsync(string query, CancellationToken ct)
    {
        var words = TextQuery.From(query);
        var frequencies = await _termStatistics.GetAsync(ct);
        await using var command = dataSource.CreateCommand("SELECT tsvector_to_array(to_tsvector($1::regconfig, $2))");
        command.Parameters.Add(new() { Value = _options.TextSearchConfig });
        command.Parameters.Add(new() { Value = words.Words });
        var lexemes = (string[])(await command.ExecuteScalarAsync(ct))!;
        return (words, CandidateWords.Choose(lexemes, frequencies, _options.TextCandidateBudget));
    }

    private string BuildSearch(SearchRequest request, IndexGeneration generation, ReadOnlyMemory<float>? vector,
        (TextQuery Query, CandidateWords Candidates)? text, bool exact, SqlParameters p)
    {
        // Placeholders are numbered in the order they are added; the filter's come last and are shared by both lists.
        string VectorParam() => p.Add(new Vector(vector ?? throw new InvalidOperationException("A vector search needs a query vector.")));
        string Int(int value) => p.Add(value);
        SearchSql.TextParameters TextParameters()
        {
            var (words, candidates) = text ?? throw new InvalidOperationException("A text search needs its candidate words.");
            return new SearchSql.TextParameters(p.Add(_options.TextSearchConfig), p.Add(words.AllWords), p.Add(words.AnyWord),
                candidates.AllCommon ? p.Add(candidates.AllOfQuery()) : null,
                p.Add(_options.TextRankWeights()), p.Add(candidates.AnyOfQuery()), p.Add(_options.TextCandidateCap),
                p.Add(_options.TextCandidateScan), AddAllWords: candidates.AllCommon, NoCandidates: candidates.Lexemes.Count == 0, ByIndex: _options.TextCandidatesByIndex);
        }

        // Single-list modes look a little deeper than the top, so that identical passages collapsing into one leave it full.
        string CandidateLimit() => Int(request.Top + Math.Min(request.Top, DuplicateSlack));

        switch (request.Mode)
        {
            case SearchMode.Vector:
            {
                var v = VectorParam();
                var limit = CandidateLimit();
                var top = Int(request.Top);
                return SearchSql.Vector(generation, v, limit, top, Filter(p, request, generation), exact);
            }
            case SearchMode.Text:
            {
                var textList = TextParameters();
                var limit = CandidateLimit();
                var top = Int(request.Top);
                return SearchSql.Text(textList, limit, top, Filter(p, request, generation));
            }
            case SearchMode.Hybrid:
            {
                var v = VectorParam();
                var vectorLimit = Int(Math.Max(_options.VectorCandidates, request.Top));
                var textList = TextParameters();
                var textLimit = Int(Math.Max(_options.TextCandidates, request.Top));
                var k = Int(_options.RrfK);
                var textWeight = p.Add(_options.TextWeight);
                var top = Int(request.Top);
                return SearchSql.Hybrid(generation, v, vectorLimit, textList, textLimit, k, textWeight, top, Filter(p, request, generation));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request.Mode, "Unknown search mode.");
        }
    }

    // Access first: it is the one predicate every search carries; then the generation, which every search carries too.
    private static SqlFilterBuilder Filter(SqlParameters p, SearchRequest request, IndexGeneration generation) =>
        new SqlFilterBuilder(p).ReadableBy(request.ReaderGroups).InGeneration(generation).Add(request.Filter ?? SearchFilter.None)
            .ContentOnly(!request.IncludeNavigation);

    private string CheckedQuery(SearchRequest request)
    {
        SearchRequestRules.Check(request, _options);
        return StoredText.Clean(request.Query);
    }

    // A caller without groups may read nothing. PostgreSQL text holds neither NUL nor unpaired surrogates, so a
    // filter value with one matches nothing (and could not be sent as a parameter).
    private static bool CanMatch(SearchRequest request)
    {
        var filter = request.Filter ?? SearchFilter.None;
        return request.ReaderGroups.Count > 0 && request.ReaderGroups.All(StoredText.IsStorable) &&
            StoredText.IsStorable(filter.Bucket) && StoredText.IsStorable(filter.KeyPrefix) && StoredText.IsStorable(filter.ContentType);
    }
}
