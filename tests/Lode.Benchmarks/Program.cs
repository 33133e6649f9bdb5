using Lode.Benchmarks;

// Console benchmarks (not tests): dotnet run -c Release --project tests/Lode.Benchmarks -- <benchmark> [options].
// One subcommand per benchmark, each in its own file; every benchmark prints a markdown table.
return args switch
{
    ["pdf", var folder, .. var rest] => await PdfBenchmark.RunAsync(folder, rest),
    ["extract", var file, .. var rest] => ExtractCommand.Run(file, rest.FirstOrDefault()),
    ["embed", "queries", .. var rest] => await QueryBatchingBenchmark.RunAsync(rest),
    ["embed", .. var rest] => await EmbeddingBenchmark.RunAsync(rest),
    ["retrieval", .. var rest] => await RetrievalBenchmark.RunAsync(rest),
    ["chat-load", .. var rest] => await ChatLoadBenchmark.RunAsync(rest),
    ["chat", .. var rest] => await ChatOverheadBenchmark.RunAsync(rest),
    ["ingest", .. var rest] => await IngestBenchmark.RunAsync(rest),
    ["reindex", .. var rest] => await ReindexBenchmark.RunAsync(rest),
    ["upload", .. var rest] => await UploadBenchmark.RunAsync(rest),
    ["intake", .. var rest] => await IntakeBenchmark.RunAsync(rest),
    ["quality", .. var rest] => await QualityBenchmark.RunAsync(rest),
    ["realism", .. var rest] => await RealismBenchmark.RunAsync(rest),
    ["sandbox", .. var rest] => await SandboxBenchmark.RunAsync(rest),
    ["llm", .. var rest] => await LlmBatchingBenchmark.RunAsync(rest),
    ["ocr", .. var rest] => await OcrBenchmark.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine(
        """
        Usage:
          Lode.Benchmarks pdf <folder-of-pdfs> [--runs N] [--out table.md]
              Times PdfTextExtractor and pdftotext (poppler-utils) on every PDF in the folder, in the same run,
              and prints a markdown table: pages, seconds, pages/s, speed ratio, word agreement.
          Lode.Benchmarks extract <file> [content-type]
              Prints what the extractor chosen for the file produces, page by page.
          Lode.Benchmarks embed [--model all-MiniLM-L6-v2,snowflake-arctic-embed-xs] [--chunks N] [--batch 1,8,32]
                                [--threads 1,2] [--callers 1] [--repeat 3] [--out FILE]
              Embedding throughput (chunks/s) of each model on the same chunks, in one run, by batch size, threads and
              concurrent callers, with each model's ratio to the first one's.
          Lode.Benchmarks embed queries [--queries 320] [--callers 1,8,32] [--rounds 2] [--batch 32] [--threads 0,1] [--spinning off,on]
              Query embeddings/s and p50/p95 with concurrent callers: each query alone and batched into one ONNX
              run (QueryBatchingEmbeddingGenerator), on one loaded model, alternating in one run.
          Lode.Benchmarks intake [--events 2000] [--senders 1,8,32] [--rounds 1] [--gathers 2,1,0]
              MinIO-shaped one-record webhook events to the real app on Kestrel (fresh databases, worker off) from
              concurrent senders: events/s, p50/p95 and CPU per event with group commit at each gather wait (ms; 0:
              none), off, and refused at once (the senders' ceiling), in one run; where a request's time went (server,
              queued, commit, requests per commit) and the bare-commit bound. LODE_TEST_PG picks the cluster.
          Lode.Benchmarks retrieval [--rows 100000] [--clusters 300] [--queries 200] [--pg CONNECTION] [--out FILE]
                                    [--maintenance-work-mem 2GB] [--parallel-workers 2] [--ef-search 100]
                                    [--exact-queries N] [--text-budget 1000] [--text-cap 1000]
                                    [--iterative-scan relaxed_order] [--keep true] [--reuse DATABASE]
                                    [--data hierarchical|isotropic]
              Hybrid, HNSW, exact and text search latency (p50/p95) and HNSW recall@10 on synthetic chunks in a fresh
              database, without a filter and with a filter keeping 10% of the rows.
          Lode.Benchmarks realism --reuse QUALITY_DATABASE [--sizes 100000] [--fit [GRID]]
              How realistic the synthetic data is: relative contrast and local intrinsic dimensionality of the manual
              question set's questions against a kept quality database's chunks, then of each synthetic data set.
          Lode.Benchmarks chat [--questions 100]
              Chat overhead with the extractive back-end: time to the first SSE event of api/chat over HTTP, against
              the bare query embedding and the bare retrieval on the same questions in the same run (p50/p95).
          Lode.Benchmarks chat-load [--requests 1000] [--concurrency 50] [--callers 27] [--manuals] [--variants "A=1|A=2 B=3"] [--rounds 1] [--keep] [--reuse DATABASE] [--explain FILE] [--Section:Key=value ...]
              Chat throughput: concurrent extractive api/chat requests from callers with stored API keys at the real app
              (Kestrel, PostgreSQL, ONNX embeddings): requests/s, p50/p95, CPU ms per request, and a per-stage CPU profile.
          Lode.Benchmarks ingest [folder] [--runs N] [--out FILE] [--Section:Key=value ...]
              Whole ingestion pipeline (real S3 server, fresh database, the app's services and queue worker) against
              the bare embedder on the same chunks, in one run; prints throughput, the ratio and where the time goes.
              Folder defaults to infra/local/samples; settings override the app's configuration.
          Lode.Benchmarks reindex [folder] [--out FILE] [--Section:Key=value ...]
              The same corpus through POST api/reindex's service three times in one run: first index, unchanged
              reindex (skipped by etag) and forced reindex; times as ratios to the first index.
          Lode.Benchmarks upload [folder] [--runs N] [--out FILE] [--Section:Key=value ...]
              The same files uploaded two ways in one run, alternating: (a) bare Minio SDK PutObject with the store's
              credentials, (b) through Lode as `lode upload` does (POST api/uploads to the app on Kestrel, then a PUT
              to the presigned URL); notifications and the worker off. Prints pass times, the ratio (b)/(a), per-file
              p50/p95 and the grant round trip's share of (b). Folder defaults to infra/local/samples.
          Lode.Benchmarks llm [--concurrency 1,2,4,8] [--tokens 48] [--rounds 2] [--threads N] [--gpu-layers 0]
                              [--embedding 512] [--ffn 1536] [--blocks 10] [--out FILE]
              In-process LLM throughput: aggregate generated tokens/s with 1, 2, 4, 8 concurrent requests, batched
              decoding against one context per request, alternating in one run; time to first token p50/p95 at the
              highest concurrency. Writes its own synthetic ~36 M-parameter GGUF (random weights) and deletes it.
          Lode.Benchmarks quality [--half tune|check|both] [--grid "RrfK=20,60;ContextWeight=1,2"] [--top 5] [--misses]
                                  [--keep] [--reuse DATABASE] [--out FILE] [--Section:Key=value ...]
              Retrieval quality on the manual question set: the six manuals indexed through a real stack, every
              question of the half asked in each mode for each grid point; hit@1/3/5/10, MRR, paraphrase/keyword hit@5.
          Lode.Benchmarks sandbox <folder-of-pdfs> [--runs N] [--out FILE] [--no-fresh]
              Extraction of every PDF in-process and through the sandbox (warm child; and a fresh child per document,
              unless --no-fresh), alternating, after one discarded run of each side per file; prints medians, the
              ratios to in-process, a one-line document's round trip and the cost of serialising the answers.
          Lode.Benchmarks ocr [born-digital.pdf] [--runs N] [--out FILE]
              OCR of known prose rendered as 300 dpi scans (clean; degraded with noise and skew) through the scanned-PDF
              path at 300 dpi and at the default Ocr:Dpi, in one run: pages/s and word accuracy against the source text;
              then a born-digital PDF (default infra/local/samples/gpl-3.0.pdf) extracted with OCR on, off and without
              the OCR step: medians and ratios.
        """);
    return 2;
}
