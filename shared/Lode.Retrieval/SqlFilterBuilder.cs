using Lode.Database.Generations;
using Npgsql;

namespace Lode.Retrieval;

/// <summary>
/// Positional parameters of one command: <see cref="Add"/> stores a value and returns its placeholder (<c>$3</c>), so
/// SQL text is assembled from constant fragments and placeholders only, never from input.
/// </summary>
internal sealed class SqlParameters
{
    private readonly List<NpgsqlParameter> _items = [];

    public string Add(object value)
    {
        _items.Add(new NpgsqlParameter { Value = value });
        return "$" + _items.Count;
    }

    public void CopyTo(NpgsqlParameterCollection target)
    {
        foreach (var p in _items) target.Add(p.Clone());
    }
}

/// <summary>
/// The WHERE predicates a search must respect, over <c>chunks c</c> joined to <c>documents d</c> when a predicate
/// needs it. Each predicate is a constant SQL fragment with <c>{0}</c> where its parameter goes; values only ever
/// travel as parameters. The same text goes into every candidate query (vector and full text), so no path can return
/// a row another path would have filtered out.
/// </summary>
internal sealed class SqlFilterBuilder(SqlParameters parameters)
{
    private readonly List<string> _predicates = [];
    private bool _needsDocuments;
    private readonly List<string> _withinScan = [];

    /// <summary>Appends <paramref name="predicateFormat"/> (a constant, with <c>{0}</c> for the value's placeholder).</summary>
    private SqlFilterBuilder Where(string predicateFormat, object value, bool onDocuments = true)
    {
        _predicates.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, predicateFormat, parameters.Add(value)));
        _needsDocuments |= onDocuments;
        return this;
    }

    /// <summary>The predicates joined with AND (<c>TRUE</c> when there are none).</summary>
    public string Sql => _predicates.Count == 0 ? "TRUE" : string.Join(" AND ", _predicates.Select(p => $"({p})"));

    /// <summary>
    /// The predicates a scan bounded before the rest of the filter must still apply inside its bound, on <c>chunks c</c>:
    /// the caller's groups (<see cref="ReadableBy"/>), so that chunks the caller may not read take no place in it, and
    /// the generation (<see cref="InGeneration"/>), so that during a switch the other generation's chunks do not either.
    /// </summary>
    public string WithinScanSql => _withinScan.Count == 2
        ? string.Join(" AND ", _withinScan.Select(p => $"({p})"))
        : throw new InvalidOperationException("A search filter names the caller's groups and the generation first.");

    /// <summary>The joins the predicates need (documents, as <c>d</c>), or nothing.</summary>
    public string Join => _needsDocuments ? " JOIN documents d ON d.id = c.document_id" : "";

    /// <summary>
    /// Only chunks that one of <paramref name="groups"/> may read. The groups are stored on each chunk, so this is a
    /// predicate on the very rows the HNSW and full-text scans visit; with the iterative scan the vector list still
    /// fills up when the caller may read only a small share of the corpus.
    /// </summary>
    public SqlFilterBuilder ReadableBy(IReadOnlyCollection<string> groups)
    {
        Where("c.read_groups && {0}::text[]", groups.ToArray(), onDocuments: false);
        _withinScan.Add(_predicates[^1]);
        return this;
    }

    /// <summary>
    /// Only chunks of one index generation: a search never mixes two models' vectors or passages. The generation is a
    /// literal (see <see cref="GenerationVectorIndex"/>), so the planner can use that generation's partial HNSW index.
    /// </summary>
    public SqlFilterBuilder InGeneration(IndexGeneration generation)
    {
        _predicates.Add(GenerationVectorIndex.Predicate(generation.Id));
        _withinScan.Add(_predicates[^1]);
        return this;
    }

    /// <summary>
    /// Leaves out navigation chunks (tables of contents, indexes) when <paramref name="contentOnly"/>: they name every
    /// topic beside a page number and answer none.
    /// </summary>
    public SqlFilterBuilder ContentOnly(bool contentOnly)
    {
        if (contentOnly) _predicates.Add("NOT c.navigation");
        return this;
    }

    /// <summary>Adds the predicates of <paramref name="filter"/>.</summary>
    public SqlFilterBuilder Add(SearchFilter filter)
    {
        if (filter.Bucket is { } bucket) Where("d.bucket = {0}", bucket);
        // starts_with, not LIKE: a prefix with % or _ in it must mean itself.
        if (filter.KeyPrefix is { Length: > 0 } prefix) Where("starts_with(d.key, {0})", prefix);
        // The stored type is what the object store reported ("text/plain; charset=utf-8"): compare media types only.
        if (filter.ContentType is { } contentType)
            Where("lower(btrim(split_part(d.content_type, ';', 1))) = {0}", NormalizeMediaType(contentType));
        return this;
    }

    internal static string NormalizeMediaType(string contentType) =>
        contentType.Split(';', 2)[0].Trim().ToLowerInvariant();
}
