using Lode.Database.Generations;

namespace Lode.Retrieval;

/// <summary>
/// The SQL of one search, assembled from the constant fragments below and parameter placeholders. One statement per
/// mode: the candidate lists are MATERIALIZED CTEs so each is computed once, with its own index; each mode ranks its
/// candidates (<c>candidates</c>: id, score, rank), and a common tail collapses identical passages and returns the
/// top with where else they occur. Every chunk query carries the filter, which keeps it to one index generation.
/// </summary>
internal static class SearchSql
{
    /// <summary>
    /// Placeholders of the text list: configuration, the whole query, its words joined by "or", the rarest words ANDed
    /// (<see cref="CandidateWords.AllOfQuery"/>; null unless every word is common), ts_rank's weights, the
    /// candidates' tsquery (<see cref="CandidateWords.AnyOfQuery"/>), the cap of candidates ranked and the most chunks
    /// examined to find them; whether the chunks holding every word come first (<see cref="CandidateWords.AllCommon"/>),
    /// or there are no candidates.
    /// </summary>
    public sealed record TextParameters(string Config, string AllWords, string AnyWord, string? AllWordsScanned, string Weights, string Candidates, string Cap,
        string Scan, bool AddAllWords, bool NoCandidates, bool ByIndex);

    // Nearest chunks by cosine distance. ORDER BY the index's distance expression with LIMIT is the shape pgvector's
    // HNSW index serves (the generation's own index: the distance is its expression, in half precision, the filter
    // names its generation); with an iterative scan the index hands rows on in relaxed order, so the rank is taken
    // afterwards from the distance in full precision, computed for the rows found only.
    private const string VectorCte = """
        vector_hits AS MATERIALIZED (
            SELECT c.id, {5} AS distance
            FROM chunks c{1}
            WHERE {2}
            ORDER BY {4}
            LIMIT {3}
        )
        """;

    // The order: the distance as the generation's index computes it, or (exact) the full-precision distance as an
    // expression no index matches: the planner must then compute every distance (a sequential scan with a top-N
    // sort), i.e. exact search, while the rest of the statement keeps its indexes.
    private static string Order(IndexGeneration generation, string vector, bool exact) =>
        exact ? $"({GenerationVectorIndex.ExactDistance(generation.Dimensions, vector)}) + 0" : GenerationVectorIndex.Distance(generation.Dimensions, vector);

    private static string VectorList(IndexGeneration generation, string vector, SqlFilterBuilder filter, string limit, bool exact = false) =>
        string.Format(VectorCte, vector, filter.Join, filter.Sql, limit, Order(generation, vector, exact),
            GenerationVectorIndex.ExactDistance(generation.Dimensions, vector));

    // Chunks holding a rare enough query word (CandidateWords; GIN index on tsv), at most the cap of them. Those
    // matching the whole query as written (all words, phrases; websearch_to_tsquery never fails on syntax) come first,
    // then the rest by ts_rank over EVERY query word, normalised by chunk length (flag 1) and mapped into [0, 1) (flag
    // 32), so relevance = 1 + rank for full matches and rank otherwise. The weights say how much a word of the context
    // line (title › headings, weight A) counts against one of the text (D). ts_rank (term frequency) beats ts_rank_cd
    // (cover density) here: cover density rewards query words close together, which a partial match of a long
    // question rarely has (see docs/benchmarks.md, Retrieval). GIN cannot hand rows on in rank order, so the LIMIT of
    // the outer query bounds nothing: the inner LIMIT (the cap) and the choice of candidates do.
    private const string TextCte = """
        text_hits AS MATERIALIZED (
            SELECT c.id, (c.tsv @@ all_words)::int + ts_rank({6}::float4[], c.tsv, any_word, 33)::float8 AS relevance
            FROM websearch_to_tsquery({0}::regconfig, {1}) AS all_words,
                 websearch_to_tsquery({0}::regconfig, {2}) AS any_word,
                 {7} c
            ORDER BY relevance DESC, c.id
            LIMIT {5}
        )
        """;

    private static string TextList(TextParameters t, SqlFilterBuilder filter, string limit) =>
        string.Format(TextCte, t.Config, t.AllWords, t.AnyWord, filter.Join, filter.Sql, limit, t.Weights, Candidates(t, filter));

    // The chunks the text list ranks, at most the cap: those holding one of the chosen lexemes (as written: already
    // stemmed). When every word is common, first those holding every word of the query, then those holding the rarest
    // word (UNION ALL hands rows on in that order, the outer LIMIT stops when the cap is full). A query of stop words
    // only has none. The tsv index is asked for the chunks holding the rarest words (CandidateWords.AllOfQuery: at most
    // MaxAllWordsScanned lexemes ANDed), and the query as written (every word, phrases, "or", a negation) applies to the
    // rows it hands on, within the scan's bound: the index builds its whole bitmap before any LIMIT applies, and asked
    // for the query as written it read every alternative's chunks for "a or b or ..." (250 common words: 845 ms at
    // 200,000 chunks), the whole index for a negation alone ("(-word)": 735 ms), and every chunk holding a phrase's
    // words to check their order ("w w w": 1.3 s), where a question costs milliseconds (issue 16 review).
    private static string Candidates(TextParameters t, SqlFilterBuilder filter)
    {
        var chosen = t.NoCandidates ? "NULL::tsquery" : $"{t.Candidates}::tsquery";
        if (!t.AddAllWords) return $"(SELECT c.id, c.tsv FROM {Matching(t, filter, $"c.tsv @@ {chosen}")} LIMIT {t.Cap})";
        var everyWord = $"c.tsv @@ {t.AllWordsScanned ?? throw new InvalidOperationException("Every word is common: the rarest are scanned for.")}::tsquery";
        var asWritten = $"c.tsv @@ websearch_to_tsquery({t.Config}::regconfig, {t.AllWords})";
        return $"""
            ((SELECT c.id, c.tsv FROM {Matching(t, filter, everyWord, alsoKeep: asWritten)} LIMIT {t.Cap})
                  UNION ALL
                  (SELECT c.id, c.tsv FROM {Matching(t, filter, $"c.tsv @@ {chosen}", alsoKeep: $"NOT ({everyWord} AND {asWritten})")} LIMIT {t.Cap})
                  LIMIT {t.Cap})
            """;
    }

    // The readable chunks whose tsv matches (and `alsoKeep`), as "c" (FROM ... WHERE ...). ByIndex (Retrieval:TextCandidatesByIndex):
    // found through the tsv index, at most Scan of the chunks the caller may read (Retrieval:TextCandidateScan) before
    // the rest of the filter. The planner prices a tsv match at one operator, but on a chunk it costs fetching the tsv
    // from TOAST and decompressing it; so once the candidates are a few percent of the chunks it prefers a sequential
    // scan (or the read_groups index, which every readable chunk matches) that matches EVERY chunk's tsv: 16-72 ms
    // instead of about 2 ms for a question on the manuals corpus (docs/benchmarks.md, Chat throughput). The fence
    // (OFFSET 0) keeps every other predicate out of the scan, so that the tsv index is the only one that can serve it,
    // and sequential scans are off for the statement (SearchSql.Settings). The caller's groups and the generation
    // (SqlFilterBuilder.WithinScanSql) apply to the rows it hands on, then the LIMIT, then the rest of the filter: the LIMIT is what bounds a search whose own filter keeps a
    // small share of the chunks (one bucket of ten made the scan read every chunk holding the chosen word to fill the
    // cap, 48 ms p95 at a million chunks), and only chunks the caller may read count towards it, so what the caller
    // finds never depends on chunks they may not read. `alsoKeep` is applied with the filter, after the LIMIT, for the
    // same reason: rows it removed inside the scan would not count towards the LIMIT. Unfiltered, the candidates are the
    // same rows either way (when more than the cap match, which of them the cap keeps depends on the scan either way).
    private static string Matching(TextParameters t, SqlFilterBuilder filter, string match, string? alsoKeep = null)
    {
        var kept = alsoKeep is null ? filter.Sql : $"{filter.Sql} AND {alsoKeep}";
        return t.ByIndex
            ? $"(SELECT * FROM (SELECT * FROM chunks c WHERE {match} OFFSET 0) c WHERE {filter.WithinScanSql} LIMIT {t.Scan}) c{filter.Join} WHERE {kept}"
            : $"chunks c{filter.Join} WHERE {match} AND {kept}";
    }

    /// <summary>
    /// Both lists fused by weighted reciprocal rank: score = Σ weight/(k + rank), the vector list weighing 1 and the
    /// text list <paramref name="textWeight"/> — except a chunk that holds every word of the query (relevance ≥ 1), which
    /// weighs 1: the reduced weight is there so that chunks sharing a question's common words do not outvote the vector
    /// list, and a match of the whole query (an identifier, an error code) is not that. Ties go to the better single rank.
    /// </summary>
    public static string Hybrid(IndexGeneration generation, string vector, string vectorLimit, TextParameters text, string textLimit,
        string rrfK, string textWeight, string top, SqlFilterBuilder filter) => $"""
        WITH {VectorList(generation, vector, filter, vectorLimit)},
        {TextList(text, filter, textLimit)},
        ranked AS (
            SELECT id, row_number() OVER (ORDER BY distance, id) AS rank, 1.0::float8 AS weight FROM vector_hits
            UNION ALL
            SELECT id, row_number() OVER (ORDER BY relevance DESC, id) AS rank,
                   CASE WHEN relevance >= 1 THEN 1.0 ELSE {textWeight}::float8 END AS weight
            FROM text_hits
        ),
        fused AS (
            SELECT id, sum(weight / ({rrfK} + rank)) AS score, min(rank) AS best_rank
            FROM ranked
            GROUP BY id
        ),
        candidates AS (
            SELECT id, score, row_number() OVER (ORDER BY score DESC, best_rank, id) AS rank FROM fused
        ),
        {Tail(top, filter)}
        """;

    /// <summary>Nearest chunks only; score = cosine similarity (1 − distance). Exact: without the HNSW index.</summary>
    public static string Vector(IndexGeneration generation, string vector, string candidateLimit, string top, SqlFilterBuilder filter,
        bool exact) => $"""
        WITH {VectorList(generation, vector, filter, candidateLimit, exact)},
        candidates AS (
            SELECT id, 1 - distance AS score, row_number() OVER (ORDER BY distance, id) AS rank FROM vector_hits
        ),
        {Tail(top, filter)}
        """;

    /// <summary>Full-text matches only; score = relevance (1 + rank for a match of the whole query, rank otherwise).</summary>
    public static string Text(TextParameters text, string candidateLimit, string top, SqlFilterBuilder filter) => $"""
        WITH {TextList(text, filter, candidateLimit)},
        candidates AS (
            SELECT id, relevance AS score, row_number() OVER (ORDER BY relevance DESC, id) AS rank FROM text_hits
        ),
        {Tail(top, filter)}
        """;

    /// <summary>
    /// The common end of every mode. A passage stored in several documents (the same file uploaded twice, a chapter
    /// shared by two manuals) is one result, its best-ranked copy, and <c>also_in</c> lists where else the caller may
    /// read the same text: found through the index on <c>md5(content)</c> and the same filter as the candidates (the
    /// subquery's own <c>c</c> and <c>d</c> are what the filter's predicates name). Texts are compared whole, not just
    /// by hash: a document crafted to collide with another's MD5 must not hide it from results. Only the first
    /// <see cref="MaxCopiesExamined"/> copies are looked at.
    /// </summary>
    private static string Tail(string top, SqlFilterBuilder filter) => $"""
        distinct_hits AS (
            SELECT DISTINCT ON (md5(c.content), c.content) h.id, h.score, h.rank
            FROM candidates h JOIN chunks c ON c.id = h.id
            ORDER BY md5(c.content), c.content, h.rank
        ),
        top_hits AS (
            SELECT id, score, rank FROM distinct_hits ORDER BY rank LIMIT {top}
        )
        SELECT hc.id, hd.bucket, hd.key, hc.page_start, hc.page_end, hc.content, t.score, hc.heading_path, hd.title,
               hc.navigation,
               (SELECT jsonb_agg(jsonb_build_object('bucket', o.bucket, 'key', o.key, 'page', o.page_start, 'pageEnd', o.page_end))
                FROM (SELECT d.bucket, d.key, c.page_start, c.page_end
                      FROM (SELECT copy.id FROM chunks copy
                            WHERE md5(copy.content) = md5(hc.content) AND copy.content = hc.content AND copy.id <> hc.id
                            LIMIT {MaxCopiesExamined}) k
                      JOIN chunks c ON c.id = k.id JOIN documents d ON d.id = c.document_id
                      WHERE {filter.Sql}
                      ORDER BY d.bucket, d.key, c.page_start
                      LIMIT {MaxAlsoIn}) o) AS also_in,
               EXISTS (SELECT 1 FROM document_ocr_pages op
                       WHERE op.document_id = hc.document_id AND op.state = 'read'
                         AND op.page BETWEEN hc.page_start AND hc.page_end) AS from_ocr
        FROM top_hits t JOIN chunks hc ON hc.id = t.id JOIN documents hd ON hd.id = hc.document_id
        ORDER BY t.rank
        """;

    /// <summary>Most other places listed for one passage.</summary>
    public const int MaxAlsoIn = 20;

    /// <summary>
    /// Most copies of a passage looked at to find those places, readable or not: a passage stored a hundred thousand
    /// times (a document repeating one paragraph) costs every search that returns it a bounded amount, and how long it
    /// takes says nothing about how many copies the caller may not read.
    /// </summary>
    public const int MaxCopiesExamined = 200;

    /// <summary>
    /// Planner settings for the statement that follows in the same batch: the price of a page read at random
    /// (<paramref name="randomPageCost"/>, a placeholder), the HNSW scan's (when the vector index serves the search:
    /// placeholders, else null) and, when the text list's candidates must come from the tsv index
    /// (<paramref name="textByIndex"/>), no sequential scans. <c>set_config(..., true)</c> is local to the transaction,
    /// and a batch runs in one implicit transaction: the settings hold for the search and are gone before the
    /// connection returns to the pool.
    /// </summary>
    public static string Settings(string randomPageCost, (string EfSearch, string IterativeScan, string MaxScanTuples)? hnsw, bool textByIndex)
    {
        var settings = new List<string>(5) { $"set_config('random_page_cost', {randomPageCost}, true)" };
        if (hnsw is var (efSearch, iterativeScan, maxScanTuples))
        {
            settings.Add($"set_config('hnsw.ef_search', {efSearch}, true)");
            settings.Add($"set_config('hnsw.iterative_scan', {iterativeScan}, true)");
            settings.Add($"set_config('hnsw.max_scan_tuples', {maxScanTuples}, true)");
        }
        if (textByIndex) settings.Add("set_config('enable_seqscan', 'off', true)");
        return "SELECT " + string.Join(",\n       ", settings);
    }
}
