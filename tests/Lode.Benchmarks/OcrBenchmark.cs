using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lode.Ingestion.Extraction;
using Lode.Ocr;
using Lode.Tests.Support;
using Microsoft.Extensions.Options;

namespace Lode.Benchmarks;

/// <summary>
/// OCR (issue 13), in one run: the passages of <see cref="OcrPassages"/> rendered as 300 dpi scans (the test support's
/// Ghostscript renderer, 12-point Helvetica) and wrapped as scanned PDF pages, clean and degraded (ImageMagick noise
/// and a 1.5° skew), read by the production path (<see cref="PdfTextExtractor"/> with <see cref="PdfPageOcr"/>:
/// pdftoppm at Ocr:Dpi, then Tesseract) at 300 dpi and at the default Ocr:Dpi. It reports pages per second and the
/// word accuracy of each page's text against its source (<see cref="WordAccuracy"/>). Then the extraction of a
/// born-digital PDF with OCR on, off, and without the OCR step at all (the extractor before issue 13): OCR only
/// changes extraction, so that is where a cost on born-digital PDFs would show, undiluted by embedding.
/// Conditions alternate their order from run to run; medians. Besides wall time it reports CPU time (this process
/// and the tools it ran, <see cref="CpuAccount.SelfAndEndedChildrenSeconds"/>): on a shared, loaded machine wall time
/// stretches with other users' work, CPU time much less, so CPU seconds per page say what a page costs a core.
/// </summary>
internal static class OcrBenchmark
{
    private const int ScanDpi = 300;

    // Seeded, so every run and every machine degrades the same pixels.
    private static readonly string[] Degradation = ["-seed", "13", "-attenuate", "0.3", "+noise", "Gaussian", "-rotate", "1.5"];

    private sealed record Condition(string Scan, int Dpi, byte[] Pdf);

    private sealed record Reading(double Seconds, double CpuSeconds, IReadOnlyList<double> Accuracies);

    public static async Task<int> RunAsync(string[] args)
    {
        if (BenchmarkArguments.Parse(args) is not { } arguments)
        {
            Console.Error.WriteLine("Usage: ocr [born-digital.pdf] [--runs N] [--out FILE]");
            return 2;
        }

        var bornDigital = arguments.Folder
                          ?? Path.Combine(S3ServerProcess.FindRepositoryRoot(), "infra", "local", "samples", "gpl-3.0.pdf");
        var defaultDpi = new OcrOptions().Dpi;
        var loadBefore = LoadAverage();

        var clean = OcrPassages.All.Select(p => ScanImages.Png(OcrPassages.Lines(p), dpi: ScanDpi)).ToList();
        var degraded = clean.Select(png => ScanImages.Convert(png, "png", "png", Degradation)).ToList();
        byte[] Pdf(IEnumerable<byte[]> pages) => ScanImages.Pdf(pages.Select(ScanImages.ScannedPage).ToArray());
        Condition[] conditions =
        [
            new("clean", ScanDpi, Pdf(clean)), new("clean", defaultDpi, Pdf(clean)),
            new("degraded", ScanDpi, Pdf(degraded)), new("degraded", defaultDpi, Pdf(degraded)),
        ];

        var readings = conditions.ToDictionary(c => c, _ => new List<Reading>());
        for (var run = 0; run < arguments.Runs; run++)
        {
            foreach (var condition in run % 2 == 0 ? conditions : Enumerable.Reverse(conditions))
            {
                var reading = Read(condition);
                readings[condition].Add(reading);
                Console.Error.WriteLine($"run {run + 1}: {condition.Scan} at {condition.Dpi} dpi: {reading.Seconds:F2} s ({reading.CpuSeconds:F2} CPU s), " +
                                        $"accuracy {string.Join(", ", reading.Accuracies.Select(a => a.ToString("F4", CultureInfo.InvariantCulture)))}");
            }
        }

        var ingest = TimeBornDigital(bornDigital, Math.Max(arguments.Runs, 5));
        var table = Table(readings, ingest, arguments.Runs, defaultDpi, loadBefore, LoadAverage());
        Console.WriteLine(table);
        await arguments.WriteOutputAsync(table);
        return 0;
    }

    /// <summary>Extracts the condition's scanned PDF and scores each page against its passage.</summary>
    private static Reading Read(Condition condition)
    {
        var options = new OcrOptions { Dpi = condition.Dpi };
        var cpu = CpuAccount.SelfAndEndedChildrenSeconds();
        var clock = Stopwatch.StartNew();
        var document = Extractor(options).Extract(new MemoryStream(condition.Pdf, writable: false), ExtractionLimits.Default, CancellationToken.None);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = CpuAccount.SelfAndEndedChildrenSeconds() - cpu;
        var accuracies = OcrPassages.All.Select((passage, i) =>
        {
            var page = document.Pages[i];
            if (page.Ocr?.State != PageOcrState.Read) throw new InvalidOperationException($"Page {page.Number} was not read: {page.Ocr?.Reason}");
            return WordAccuracy.Of(passage.Text, page.Text);
        }).ToList();
        return new Reading(seconds, cpuSeconds, accuracies);
    }

    private static PdfTextExtractor Extractor(OcrOptions options) =>
        new(new PdfPageOcr(new TesseractEngine(Options.Create(options)), Options.Create(options)));

    private sealed record Timing(double Seconds, double CpuSeconds);

    private sealed record BornDigital(string File, int Pages, Timing WithoutStep, Timing Disabled, Timing Enabled);

    /// <summary>The born-digital PDF through the three extractors, rotating which goes first; one untimed warm-up each.</summary>
    private static BornDigital TimeBornDigital(string file, int runs)
    {
        var bytes = File.ReadAllBytes(file);
        PdfTextExtractor[] extractors = [new(), Extractor(new OcrOptions { Enabled = false }), Extractor(new OcrOptions())];
        var times = extractors.Select(_ => new List<Timing>()).ToArray();
        var pages = 0;
        foreach (var extractor in extractors) pages = Extract(extractor, bytes).Pages;
        for (var run = 0; run < runs; run++)
        {
            for (var k = 0; k < extractors.Length; k++)
            {
                var index = (run + k) % extractors.Length;
                times[index].Add(Extract(extractors[index], bytes).Timing);
            }
        }

        Console.Error.WriteLine($"{Path.GetFileName(file)}: no OCR step {Format(times[0])}; OCR off {Format(times[1])}; OCR on {Format(times[2])}");
        Timing MedianOf(List<Timing> list) => new(Median(list.Select(t => t.Seconds)), Median(list.Select(t => t.CpuSeconds)));
        return new BornDigital(Path.GetFileName(file), pages, MedianOf(times[0]), MedianOf(times[1]), MedianOf(times[2]));
    }

    private static (Timing Timing, int Pages) Extract(PdfTextExtractor extractor, byte[] bytes)
    {
        var cpu = CpuAccount.SelfAndEndedChildrenSeconds();
        var clock = Stopwatch.StartNew();
        var document = extractor.Extract(new MemoryStream(bytes, writable: false), ExtractionLimits.Default, CancellationToken.None);
        if (document.Pages.Any(p => p.Ocr is not null)) throw new InvalidOperationException("A page of the born-digital PDF was taken for a scan.");
        return (new Timing(clock.Elapsed.TotalSeconds, CpuAccount.SelfAndEndedChildrenSeconds() - cpu), document.PageCount);
    }

    private static string Format(IEnumerable<Timing> timings) =>
        string.Join(" ", timings.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Seconds:F3}/{t.CpuSeconds:F2}")));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string Table(Dictionary<Condition, List<Reading>> readings, BornDigital ingest, int runs, int defaultDpi,
        string loadBefore, string loadAfter)
    {
        var c = CultureInfo.InvariantCulture;
        var defaults = new OcrOptions();
        var text = new StringBuilder();
        text.AppendLine(c, $"{Machine.Description()}; {TesseractVersion()}; load average (1, 5, 15 min) {loadBefore} before, {loadAfter} after.");
        text.AppendLine(c, $"Scans: each passage one US Letter page, 12-point Helvetica rendered by Ghostscript at {ScanDpi} dpi (greyscale), " +
                           $"wrapped as a scanned PDF page; degraded: ImageMagick `{string.Join(' ', Degradation)}`. Read by PdfTextExtractor + PdfPageOcr " +
                           $"(pdftoppm at Ocr:Dpi, Tesseract `-l {defaults.Languages} --psm 1`), Ocr:MaxParallelPages={defaults.MaxParallelPages}; " +
                           $"median of {runs} run(s), the order of the conditions alternating. Default Ocr:Dpi is {defaultDpi}.");
        text.AppendLine();
        var passages = OcrPassages.All;
        text.AppendLine("| scan | Ocr:Dpi | pages | median s | pages/s | CPU s per page | pages/s per busy core | " +
                        string.Join(" | ", passages.Select(p => $"word accuracy: {p.Name}{(p.UsedForTuning ? " (tuning text)" : " (held out)")}")) + " |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|" + string.Concat(passages.Select(_ => "---:|")));
        foreach (var (condition, list) in readings)
        {
            var seconds = Median(list.Select(r => r.Seconds));
            var cpuPerPage = Median(list.Select(r => r.CpuSeconds)) / passages.Count;
            // Tesseract is deterministic on the same pixels, so runs agree; the mean is shown in case one did not.
            var accuracies = Enumerable.Range(0, passages.Count).Select(i => list.Average(r => r.Accuracies[i]));
            var scores = string.Join(" | ", accuracies.Select(a => a.ToString("F4", c)));
            text.AppendLine(c, $"| {condition.Scan} | {condition.Dpi} | {passages.Count} | {seconds:F2} | {passages.Count / seconds:F2} | {cpuPerPage:F2} | {1 / cpuPerPage:F2} | {scores} |");
        }

        text.AppendLine();
        text.AppendLine(c, $"Born-digital PDF, extraction only, median of {Math.Max(runs, 5)} runs rotating which extractor goes first:");
        text.AppendLine();
        text.AppendLine("| PDF | pages | measure | no OCR step (before issue 13) | Ocr:Enabled=false | Ocr:Enabled=true | on ÷ off | on ÷ no OCR step |");
        text.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|");
        foreach (var (measure, pick) in new (string, Func<Timing, double>)[] { ("wall s", t => t.Seconds), ("CPU s", t => t.CpuSeconds) })
        {
            text.AppendLine(c, $"| {ingest.File} | {ingest.Pages} | {measure} | {pick(ingest.WithoutStep):F3} | {pick(ingest.Disabled):F3} | " +
                               $"{pick(ingest.Enabled):F3} | **{pick(ingest.Enabled) / pick(ingest.Disabled):F3}** | {pick(ingest.Enabled) / pick(ingest.WithoutStep):F3} |");
        }
        return text.ToString();
    }

    private static string TesseractVersion()
    {
        var info = new TesseractEngine(Options.Create(new OcrOptions())).DescribeAsync(CancellationToken.None).GetAwaiter().GetResult();
        return $"Tesseract {info.Version}";
    }
}
