using System.ComponentModel.DataAnnotations;

namespace Lode.Retrieval;

/// <summary>
/// Configuration section <c>Retrieval</c>: how hybrid search finds and fuses candidates. Every rule is an attribute whose
/// message names the configuration key, checked at start-up (ValidateDataAnnotations).
/// </summary>
public sealed class RetrievalOptions : IValidatableObject
{
    public const string SectionName = "Retrieval";

    /// <summary>Nearest chunks by embedding (HNSW index) that enter the fusion (at least the requested top).</summary>
    [Range(1, 1000, ErrorMessage = "Retrieval:VectorCandidates must be from 1 to 1000.")]
    public int VectorCandidates { get; set; } = 20;

    /// <summary>Best chunks by full-text rank (GIN index, <c>ts_rank</c>) that enter the fusion (at least the requested top).</summary>
    [Range(1, 1000, ErrorMessage = "Retrieval:TextCandidates must be from 1 to 1000.")]
    public int TextCandidates { get; set; } = 20;

    /// <summary>
    /// k of reciprocal rank fusion: a chunk scores the sum of weight/(k + rank) over the lists it is in. The original
    /// paper's 60 (Cormack et al., 2009) flattens the advantage of the first ranks too much for a handful of passages
    /// per question: 20, with 20 candidates per list and the text list at half weight, was best on the tuning half of
    /// the manual question set (docs/benchmarks.md, Retrieval quality).
    /// </summary>
    [Range(0, 10_000, ErrorMessage = "Retrieval:RrfK must be from 0 to 10000.")]
    public int RrfK { get; set; } = 20;

    /// <summary>
    /// Weight of the full-text list in the fusion, the vector list weighing 1: a chunk scores Σ weight/(k + rank). Below
    /// 1 a question asked in other words than the passage's is not outvoted by passages that merely share its common
    /// words.
    /// </summary>
    [Range(0.0, 100.0, ErrorMessage = "Retrieval:TextWeight must be from 0 to 100.")]
    public double TextWeight { get; set; } = 0.5;

    /// <summary>
    /// How many chunks the full-text list may expect to rank, by PostgreSQL's statistics of <c>chunks.tsv</c> (the
    /// share of chunks holding each common word; see <see cref="TermStatistics"/>). Candidates are the chunks holding a
    /// query word that is rare enough: words the statistics do not list (rarer than every listed one) always count,
    /// listed words are added rarest first while their summed estimated chunks stay within this budget. Ranking still
    /// weighs every query word. So a question with a word found in most chunks costs what its rare words cost,
    /// whatever the size of the index. 1,000 (was 2,000): the manual question set's check half does not drop, and a
    /// million-chunk index ranks fewer candidates (docs/benchmarks.md, issue 16).
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "Retrieval:TextCandidateBudget must be at least 1.")]
    public int TextCandidateBudget { get; set; } = 1_000;

    /// <summary>
    /// Most chunks the full-text list ranks, whatever the statistics say (they may be stale or missing): the bound that
    /// holds when every query word is common and the list falls back to chunks holding all of them (plus the rarest).
    /// 1,000 (was 5,000), with the budget: at a million chunks the words the statistics call rare fill any cap, so the
    /// cap is what a search costs there.
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "Retrieval:TextCandidateCap must be at least 1.")]
    public int TextCandidateCap { get; set; } = 1_000;

    /// <summary>
    /// Find the full-text list's candidates through the <c>tsv</c> index, always (sequential scans off for the search
    /// statement). PostgreSQL's cost model does not count what matching a chunk's stored tsvector costs (reading it from
    /// TOAST and decompressing it), so when a question's candidates are more than a few percent of the chunks it
    /// matches every chunk instead: on the manuals corpus 16-72 ms per question against about 2 ms through the index.
    /// Off: the planner chooses, as before. The candidates, and so the results, are the same either way (below
    /// <see cref="TextCandidateCap"/>; which rows a full cap keeps depends on the scan either way).
    /// </summary>
    public bool TextCandidatesByIndex { get; set; } = true;

    /// <summary>
    /// Most chunks the caller may read that the full-text list examines through the <c>tsv</c> index before the search's
    /// own filter (a bucket, a key prefix, a content type) keeps its candidates, for each of its at most two parts
    /// (chunks holding every query word, then those holding the chosen words); with <see cref="TextCandidatesByIndex"/>.
    /// Chunks outside the caller's groups are skipped, never counted: what a caller finds must not depend on them.
    /// The budget and the cap bound what is ranked, not what is read to find it: a filter that keeps a small share of
    /// the chunks made the list read every chunk holding the chosen words in search of rows that pass (up to 8,932 per
    /// query at a million chunks and a bucket of ten). The rows examined are the same ones an unfiltered search by the
    /// same caller ranks, so a narrow filter keeps the text candidates found among them (a caller whose groups read a
    /// small share of the chunks reads further); the vector list, whose iterative scan walks on until the filter is
    /// satisfied, is unaffected. Only words in more chunks than this are affected: within the budget they are not.
    /// 2,000 (twice the cap): at a million chunks the filtered hybrid p95 went 84.6 → 54.6 ms (4,000: 62.9 ms), the
    /// unfiltered one did not change (docs/benchmarks.md, issue 16).
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "Retrieval:TextCandidateScan must be at least 1.")]
    public int TextCandidateScan { get; set; } = 2_000;

    /// <summary>
    /// PostgreSQL's <c>random_page_cost</c> for search statements: what the planner charges for a page read at random,
    /// against 1 for a page read in sequence. The server's default, 4, prices a disk head's seek. A search index that
    /// answers in milliseconds is in memory or on SSD, where 1.1 is the usual figure, and at 4 the planner mis-chooses:
    /// pgvector prices the HNSW scan by the index pages it expects to read at random, while a scan of every chunk with
    /// a sort is priced without the embeddings it reads from TOAST and casts to half precision. With ef_search 200 on a
    /// corpus of a few thousand chunks it chose the sort, 50 ms per search against 2 ms through the index
    /// (docs/benchmarks.md, issue 16). Set only for the search statement, never for the server.
    /// </summary>
    [Range(0.01, 1000.0, ErrorMessage = "Retrieval:RandomPageCost must be from 0.01 to 1000.")]
    public double RandomPageCost { get; set; } = 1.1;

    /// <summary>How long word statistics read from <c>pg_stats</c> are used before they are read again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Retrieval:TermStatisticsRefresh must be from 1 second to 1 day.")]
    public TimeSpan TermStatisticsRefresh { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// pgvector <c>hnsw.ef_search</c>: size of the HNSW candidate list per scan (pgvector's default is 40). 200: at a
    /// million chunks recall@10 rose from 0.942 (100) to 0.990, and the hybrid p95 stayed at 42 ms (docs/benchmarks.md).
    /// </summary>
    // pgvector refuses ef_search outside 1..1000; more candidates than that are pointless for a chat prompt anyway.
    [Range(1, 1000, ErrorMessage = "Retrieval:EfSearch must be from 1 to 1000, pgvector's range.")]
    public int EfSearch { get; set; } = 200;

    /// <summary>
    /// pgvector 0.8 <c>hnsw.iterative_scan</c>: <c>relaxed_order</c> (default), <c>strict_order</c> or <c>off</c>. With
    /// <c>off</c>, a filter that rejects most index candidates leaves fewer rows than asked for; an iterative scan keeps
    /// walking the graph until enough rows pass the filter (or <see cref="MaxScanTuples"/> is reached). Results are
    /// re-sorted by exact distance afterwards, so relaxed order costs nothing in ranking.
    /// </summary>
    [AllowedValues("off", "relaxed_order", "strict_order", ErrorMessage = "Retrieval:IterativeScan must be one of off, relaxed_order, strict_order.")]
    public string IterativeScan { get; set; } = "relaxed_order";

    /// <summary>pgvector <c>hnsw.max_scan_tuples</c>: upper bound of tuples an iterative scan visits (pgvector's default).</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Retrieval:MaxScanTuples must be at least 1.")]
    public int MaxScanTuples { get; set; } = 20_000;

    /// <summary>
    /// Text search configuration the query is parsed with. It must be the one the <c>chunks.tsv</c> column is built
    /// with (<c>english</c> in the schema), or stemmed query words will not match stored ones.
    /// </summary>
    // Spliced into SQL as a regconfig name: letters, digits, _ and . only.
    [Required(ErrorMessage = TextSearchConfigProblem)]
    [RegularExpression("^[A-Za-z0-9_.]+$", ErrorMessage = TextSearchConfigProblem)]
    public string TextSearchConfig { get; set; } = "english";

    /// <summary>
    /// How much a query word found in a chunk's context line (document title › headings) counts in the full-text rank,
    /// relative to one found in its text (1). The stored tsvector holds the context with weight A and the text with D.
    /// </summary>
    [Range(0.0, 100.0, ErrorMessage = "Retrieval:ContextWeight must be from 0 to 100.")]
    public double ContextWeight { get; set; } = 1.0;

    /// <summary>ts_rank's weights {D, C, B, A} for <see cref="ContextWeight"/>, scaled so the larger is 1.</summary>
    internal float[] TextRankWeights()
    {
        var (text, context) = ContextWeight >= 1 ? (1 / ContextWeight, 1.0) : (1.0, ContextWeight);
        return [(float)text, (float)text, (float)text, (float)context];
    }

    /// <summary>Most results one search may ask for.</summary>
    [Range(1, 1000, ErrorMessage = "Retrieval:MaxTop must be from 1 to 1000.")]
    public int MaxTop { get; set; } = 50;

    /// <summary>Longest query text accepted, in characters (the embedder reads only its first 256 tokens anyway).</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Retrieval:MaxQueryChars must be at least 1.")]
    public int MaxQueryChars { get; set; } = 2_000;

    /// <summary>The rules attributes cannot say: the cap holds at least what the budget lets in, the scan what the cap does.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TextCandidateCap < TextCandidateBudget)
            yield return new ValidationResult(
                $"Retrieval:TextCandidateCap ({TextCandidateCap}) must be at least Retrieval:TextCandidateBudget ({TextCandidateBudget}).",
                [nameof(TextCandidateCap)]);
        if (TextCandidateScan < TextCandidateCap)
            yield return new ValidationResult(
                $"Retrieval:TextCandidateScan ({TextCandidateScan}) must be at least Retrieval:TextCandidateCap ({TextCandidateCap}).",
                [nameof(TextCandidateScan)]);
    }

    private const string TextSearchConfigProblem = "Retrieval:TextSearchConfig must name a text search configuration, e.g. english.";
}
