using System.Globalization;
using Npgsql;

namespace Lode.Database.Generations;

/// <summary>
/// The one definition of a generation's vector index, and of the expressions a query must repeat to be served by it:
/// <c>USING hnsw ((embedding::halfvec(D)) halfvec_cosine_ops) WHERE generation = G</c>. The column holds vectors of
/// any length (generations may differ in dimension); the cast gives the index the fixed dimension HNSW needs, and the
/// predicate keeps each generation's graph to its own rows. The index stores half-precision vectors (pgvector 0.7+):
/// half the size and a faster build than single precision, for the same recall@10 (docs/benchmarks.md, Retrieval);
/// the table keeps full precision, which exact search and re-embedding read. Migration 11 replaced the
/// single-precision indexes of earlier versions. The generation id and the dimension are SQL literals: an
/// index expression and predicate must be constants, and the planner uses a partial index only for a query whose
/// WHERE visibly implies its predicate. Both numbers come from <c>index_generations</c>, which Lode writes itself,
/// never from a request, and are formatted as integers here.
/// </summary>
public static class GenerationVectorIndex
{
    /// <summary>pgvector's HNSW index takes vectors of up to 2000 dimensions.</summary>
    public const int MaxDimensions = 2000;

    /// <summary>
    /// HNSW <c>m</c> (links per node; pgvector's default is 16). At a million chunks of embedding-like data, pgvector's
    /// defaults (16 / 64) left recall@10 at ~0.96 whatever ef_search; 24 / 100 reached 0.990 at ef_search 200 for a 4 %
    /// larger index and a ~1.5× longer build (docs/benchmarks.md, "A denser graph at 1M").
    /// </summary>
    public const int Links = 24;

    /// <summary>HNSW <c>ef_construction</c> (candidates per insert while building; pgvector's default is 64); see <see cref="Links"/>.</summary>
    public const int BuildCandidates = 100;

    private const string NamePrefix = "chunks_embedding_g";
    private const string NameSuffix = "_idx";

    /// <summary>The index's name (<c>chunks_embedding_g{G}_idx</c>).</summary>
    public static string Name(int generation) => NamePrefix + Literal(CheckedGeneration(generation)) + NameSuffix;

    /// <summary>The generation an index name belongs to, or null for other indexes.</summary>
    public static int? GenerationOf(string indexName) =>
        indexName.StartsWith(NamePrefix, StringComparison.Ordinal) && indexName.EndsWith(NameSuffix, StringComparison.Ordinal)
        && int.TryParse(indexName.AsSpan(NamePrefix.Length, indexName.Length - NamePrefix.Length - NameSuffix.Length),
            NumberStyles.None, CultureInfo.InvariantCulture, out var generation) && generation > 0
            ? generation
            : null;

    /// <summary>
    /// CREATE INDEX for the generation. <paramref name="concurrently"/>: without blocking writes to chunks (outside a
    /// transaction only); a bulk load into an empty database builds it plainly, which is faster.
    /// </summary>
    public static string CreateSql(int generation, int dimensions, bool concurrently) =>
        $"""
        CREATE INDEX {(concurrently ? "CONCURRENTLY " : "")}IF NOT EXISTS {Name(generation)} ON chunks
        USING hnsw ((embedding::halfvec({Literal(CheckedDimensions(dimensions))})) halfvec_cosine_ops)
        WITH (m = {Literal(Links)}, ef_construction = {Literal(BuildCandidates)})
        WHERE generation = {Literal(generation)}
        """;

    /// <summary>DROP INDEX for the generation (<paramref name="concurrently"/>: outside a transaction, without blocking searches).</summary>
    public static string DropSql(int generation, bool concurrently) =>
        $"DROP INDEX {(concurrently ? "CONCURRENTLY " : "")}IF EXISTS {Name(generation)}";

    /// <summary>
    /// The cosine distance of <c>c.embedding</c> to <paramref name="vector"/> (a placeholder of type vector) as the
    /// generation's index computes it, both sides in half precision; ORDER BY it with LIMIT, beside
    /// <see cref="Predicate"/>, and the index serves the query.
    /// </summary>
    public static string Distance(int dimensions, string vector) =>
        $"(c.embedding::halfvec({Literal(CheckedDimensions(dimensions))})) <=> ({vector})::halfvec({Literal(CheckedDimensions(dimensions))})";

    /// <summary>
    /// The cosine distance in full precision, an expression no index serves: exact search, the ground truth that the
    /// index's recall is measured against.
    /// </summary>
    public static string ExactDistance(int dimensions, string vector) =>
        $"(c.embedding::vector({Literal(CheckedDimensions(dimensions))})) <=> {vector}";

    /// <summary>The predicate that keeps a query over <c>chunks c</c> to one generation, and lets it use that generation's index.</summary>
    public static string Predicate(int generation) => $"c.generation = {Literal(CheckedGeneration(generation))}";

    /// <summary>Builds the index now (a test or benchmark that bulk-loaded chunks first).</summary>
    public static Task CreateAsync(NpgsqlDataSource dataSource, int generation, int dimensions, bool concurrently, CancellationToken ct) =>
        ExecuteAsync(dataSource, CreateSql(generation, dimensions, concurrently), ct);

    /// <summary>Drops the index (a test or benchmark about to bulk-load chunks).</summary>
    public static Task DropAsync(NpgsqlDataSource dataSource, int generation, bool concurrently, CancellationToken ct) =>
        ExecuteAsync(dataSource, DropSql(generation, concurrently), ct);

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        // Building an HNSW index over many chunks takes far longer than any query.
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static int CheckedGeneration(int generation) =>
        generation > 0 ? generation : throw new ArgumentOutOfRangeException(nameof(generation), generation, "Generations are numbered from 1.");

    private static int CheckedDimensions(int dimensions) =>
        dimensions is > 0 and <= MaxDimensions
            ? dimensions
            : throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, $"An HNSW index takes 1 to {MaxDimensions} dimensions.");

    private static string Literal(int value) => value.ToString(CultureInfo.InvariantCulture);
}
