using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lode.Extraction.Protocol;
using Lode.Ingestion;
using Lode.Ingestion.Extraction;
using Lode.Ingestion.Sandbox;
using Microsoft.Extensions.Logging.Abstractions;
using Lode.Tests.Support;
using Microsoft.Extensions.Options;

namespace Lode.Benchmarks;

/// <summary>
/// What the extraction sandbox costs: every PDF of a folder extracted in-process (<see cref="InProcessExtraction"/>) and
/// through the sandbox (<see cref="SandboxedExtraction"/>, warm children as configured by default), alternating which
/// goes first on each run, in one process; and once more with a fresh child per document (DocumentsPerChild=1) to show
/// what the warm children save (first run only: it is slow and only shows an order of magnitude; <c>--no-fresh</c>
/// leaves it out). Fair to both sides: before a file is timed, each side extracts it once untimed (that first run is
/// discarded for both), so neither times code the other has already compiled and profiled. Medians per file; the ratio
/// is sandbox / in-process, in wall time and in CPU time (this process and its children, from /proc: on a shared
/// machine CPU time is the steadier measure, since other users' load stretches wall time unevenly). Below the table,
/// what the sandbox adds besides extraction itself, measured without a profiler: a round trip of a one-line document
/// through the warm child (pipes, protocol, the per-document CPU limit), and serialising plus reading back each
/// file's answer in this process.
/// </summary>
internal static class SandboxBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var withFresh = !args.Contains("--no-fresh");
        if (BenchmarkArguments.Parse(args.Where(a => a != "--no-fresh").ToArray()) is not { Folder: not null } arguments)
        {
            Console.Error.WriteLine("Usage: sandbox <folder-of-pdfs> [--runs N] [--out FILE] [--no-fresh]");
            return 2;
        }
        var files = Directory.GetFiles(arguments.Folder, "*.pdf").Order(StringComparer.Ordinal).ToArray();
        var ingestion = new IngestionOptions { ExtractionTimeoutSeconds = 3_600, MaxPages = 100_000 };
        var limits = new ExtractionLimits(ingestion.MaxPages, ingestion.MaxDecompressedBytes, ingestion.MaxTextChars);
        var inProcess = new InProcessExtraction(Options.Create(ingestion));
        using var warm = Sandbox(ingestion, new SandboxOptions());
        using var fresh = Sandbox(ingestion, new SandboxOptions { DocumentsPerChild = 1, WarmChildren = 0 });
        // The extractor the app and the child both build: with the app's OCR settings (a child always has them), so the
        // in-process side does the same scanned-page checks the child does.
        var ocr = Options.Create(new Lode.Ocr.OcrOptions());
        var pdf = new PdfTextExtractor(new PdfPageOcr(new Lode.Ocr.TesseractEngine(ocr), ocr));

        var rows = new List<Row>();
        var serialising = new List<double>();
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            // Untimed and discarded, the same for both sides: the first extraction of this file (JIT, tiering, caches).
            await TimeAsync(inProcess, pdf, bytes, limits);
            await TimeAsync(warm, pdf, bytes, limits);
            serialising.Add(SerialiseSeconds(await inProcess.ExtractAsync(pdf, new MemoryStream(bytes, writable: false), limits, CancellationToken.None)));
            var times = new Dictionary<IDocumentExtraction, List<Measure>> { [inProcess] = [], [warm] = [], [fresh] = [] };
            var pages = 0;
            for (var run = 0; run < arguments.Runs; run++)
            {
                // Alternate the order so that neither side always runs on the caches the other warmed.
                IDocumentExtraction[] order = run % 2 == 0 ? [inProcess, warm, fresh] : [fresh, warm, inProcess];
                foreach (var runner in order.Where(r => r != fresh || (run == 0 && withFresh)))
                {
                    var measure = await TimeAsync(runner, pdf, bytes, limits);
                    pages = measure.Pages;
                    times[runner].Add(measure);
                }
            }
            var row = new Row(Path.GetFileName(file), pages,
                Median(times[inProcess], m => m.Seconds), Median(times[warm], m => m.Seconds),
                withFresh ? Median(times[fresh], m => m.Seconds) : double.NaN,
                Median(times[inProcess], m => m.CpuSeconds), Median(times[warm], m => m.CpuSeconds));
            rows.Add(row);
            Console.Error.WriteLine($"{row.File}: {row.Pages} pages, in-process {row.InProcess:F2} s ({row.InProcessCpu:F2} CPU s), " +
                                    $"sandbox {row.Warm:F2} s ({row.WarmCpu:F2} CPU s), fresh child {row.Fresh:F2} s");
        }

        var tiny = TestPdf.Build(1, TestPdf.TextContent(["one line"]));
        var roundTrips = new List<Measure>();
        for (var i = 0; i < 21; i++) roundTrips.Add(await TimeAsync(warm, pdf, tiny, limits));
        var tinyInProcess = new List<Measure>();
        for (var i = 0; i < 21; i++) tinyInProcess.Add(await TimeAsync(inProcess, pdf, tiny, limits));
        var table = Table(rows, arguments.Runs) + Environment.NewLine +
                    string.Create(CultureInfo.InvariantCulture,
                        $"One-line PDF, median of 21: warm child {Median(roundTrips, m => m.Seconds) * 1000:F1} ms, in-process " +
                        $"{Median(tinyInProcess, m => m.Seconds) * 1000:F1} ms. Serialising and reading back the answers of all files: " +
                        $"{serialising.Sum() * 1000:F1} ms. Load average at the end: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}.") +
                    Environment.NewLine;
        Console.WriteLine(table);
        if (arguments.Output is not null) await File.WriteAllTextAsync(arguments.Output, table);
        return 0;
    }

    private static SandboxedExtraction Sandbox(IngestionOptions ingestion, SandboxOptions sandbox) =>
        new(Options.Create(sandbox), Options.Create(ingestion), Options.Create(new Lode.Ocr.OcrOptions()), NullLogger<SandboxedExtraction>.Instance);

    private sealed record Measure(double Seconds, double CpuSeconds, int Pages);

    private static async Task<Measure> TimeAsync(IDocumentExtraction runner, ITextExtractor extractor, byte[] bytes, ExtractionLimits limits)
    {
        var cpu = CpuAccount.Take([]);
        var clock = Stopwatch.StartNew();
        var document = await runner.ExtractAsync(extractor, new MemoryStream(bytes, writable: false), limits, CancellationToken.None);
        var seconds = clock.Elapsed.TotalSeconds;
        return new Measure(seconds, CpuAccount.Between(cpu, CpuAccount.Take([]), seconds).OwnSeconds, document.PageCount);
    }

    /// <summary>What the protocol's encoding of one answer costs: serialise it and read it back, as child and app do.</summary>
    private static double SerialiseSeconds(ExtractedDocument document)
    {
        var clock = Stopwatch.StartNew();
        ExtractionResponse.Deserialize(new ExtractionResponse.Extracted(document).Serialize());
        return clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<Measure> measures, Func<Measure, double> value)
    {
        var sorted = measures.Select(value).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record Row(string File, int Pages, double InProcess, double Warm, double Fresh, double InProcessCpu, double WarmCpu);

    private static string Table(List<Row> rows, int runs)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"{Machine.Description()}; median of {runs} alternating run(s) per file after one discarded run of each side (fresh child: first run).");
        text.AppendLine();
        text.AppendLine("| PDF | pages | in-process s | sandbox (warm child) s | ratio | in-process CPU s | sandbox CPU s | CPU ratio | fresh child per document s | ratio |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            text.AppendLine(c, $"| {row.File} | {row.Pages} | {row.InProcess:F2} | {row.Warm:F2} | {row.Warm / row.InProcess:F3} | " +
                               $"{row.InProcessCpu:F2} | {row.WarmCpu:F2} | {row.WarmCpu / row.InProcessCpu:F3} | {row.Fresh:F2} | {row.Fresh / row.InProcess:F3} |");
        }
        var inProcess = rows.Sum(r => r.InProcess);
        var warm = rows.Sum(r => r.Warm);
        var fresh = rows.Sum(r => r.Fresh);
        var inProcessCpu = rows.Sum(r => r.InProcessCpu);
        var warmCpu = rows.Sum(r => r.WarmCpu);
        text.AppendLine(c, $"| **all** | {rows.Sum(r => r.Pages)} | {inProcess:F2} | {warm:F2} | **{warm / inProcess:F3}** | " +
                           $"{inProcessCpu:F2} | {warmCpu:F2} | **{warmCpu / inProcessCpu:F3}** | {fresh:F2} | {fresh / inProcess:F3} |");
        return text.ToString();
    }
}
