using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Lode.Ingestion.Extraction;

namespace Lode.Benchmarks;

/// <summary>
/// PdfPig (through <see cref="PdfTextExtractor"/>, so dehyphenation and header removal are included) against poppler's
/// pdftotext on the same files in the same run. Both get warm caches: untimed passes over the first file JIT PdfPig
/// and pull pdftotext into the page cache. PdfPig reads from memory; pdftotext from the (cached) file, and its
/// time includes starting the process, as it would in production.
/// </summary>
internal static class PdfBenchmark
{
    public static async Task<int> RunAsync(string folder, string[] options)
    {
        var runs = OptionValue(options, "--runs") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 1;
        var output = OptionValue(options, "--out");
        var files = Directory.GetFiles(folder, "*.pdf").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            Console.Error.WriteLine($"No PDFs in {folder}.");
            return 1;
        }

        var extractor = new PdfTextExtractor();
        var limits = ExtractionLimits.Default with { MaxPages = 100_000, MaxTextChars = long.MaxValue / 4 };
        // Warm-up, untimed: several passes so that tiered compilation has promoted the hot paths before timing.
        for (var i = 0; i < 3; i++)
        {
            Extract(extractor, File.ReadAllBytes(files[0]), limits);
        }

        await PdfToTextAsync(files[0]);

        var rows = new List<Row>();
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            ExtractedDocument? document = null;
            var pdfPig = Best(runs, () => document = Extract(extractor, bytes, limits));
            // The bomb guard alone (it is part of the extractor's time above): what the decompressed-size limit costs.
            var guard = Best(runs, () => PdfInflationGuard.Check(new MemoryStream(bytes, writable: false), limits, CancellationToken.None));
            string popplerText = "";
            var poppler = TimeSpan.MaxValue;
            for (var i = 0; i < runs; i++)
            {
                var (elapsed, text) = await PdfToTextAsync(file);
                poppler = elapsed < poppler ? elapsed : poppler;
                popplerText = text;
            }

            var pigText = string.Join('\n', document!.Pages.Select(p => p.Text));
            rows.Add(new Row(Path.GetFileName(file), document.PageCount, pdfPig.TotalSeconds, poppler.TotalSeconds,
                WordAgreement(pigText, popplerText), guard.TotalSeconds));
            Console.Error.WriteLine($"{Path.GetFileName(file)}: {document.PageCount} pages, PdfPig {pdfPig.TotalSeconds:F2} s, pdftotext {poppler.TotalSeconds:F2} s");
        }

        var table = Table(rows, runs);
        Console.WriteLine(table);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, table);
        }

        return 0;
    }

    private static ExtractedDocument Extract(PdfTextExtractor extractor, byte[] bytes, ExtractionLimits limits)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return extractor.Extract(stream, limits, CancellationToken.None);
    }

    private static TimeSpan Best(int runs, Action action)
    {
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            best = watch.Elapsed < best ? watch.Elapsed : best;
        }

        return best;
    }

    private static async Task<(TimeSpan Elapsed, string Text)> PdfToTextAsync(string file)
    {
        var target = Path.GetTempFileName();
        try
        {
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(new ProcessStartInfo("pdftotext", ["-enc", "UTF-8", file, target])
            {
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException("Could not start pdftotext (apt-get install poppler-utils).");
            await process.WaitForExitAsync();
            var elapsed = watch.Elapsed;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"pdftotext failed on {file}: {await process.StandardError.ReadToEndAsync()}");
            }

            return (elapsed, await File.ReadAllTextAsync(target));
        }
        finally
        {
            File.Delete(target);
        }
    }

    /// <summary>Share of pdftotext's words (as a multiset) that PdfPig's text also has: a check that speed is not bought with lost text.</summary>
    private static double WordAgreement(string pdfPig, string poppler)
    {
        var pig = Words(pdfPig).CountBy(w => w).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var total = 0;
        var matched = 0;
        foreach (var (word, count) in Words(poppler).CountBy(w => w))
        {
            total += count;
            matched += Math.Min(count, pig.GetValueOrDefault(word));
        }

        return total == 0 ? 1 : (double)matched / total;
    }

    /// <summary>
    /// Runs of letters and digits. Punctuation is left out because the two tools space it differently (pdftotext
    /// splits a table of contents' dot leaders into thousands of single-dot tokens; PdfPig keeps them joined).
    /// </summary>
    private static IEnumerable<string> Words(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                yield return text[start..i];
                start = -1;
            }
        }
    }

    private static string Table(List<Row> rows, int runs)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {Machine.CpuModel()}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}; pdftotext {PopplerVersion()}; best of {runs} run(s), warm.");
        s.AppendLine();
        s.AppendLine("| file | pages | PdfPig s | PdfPig pages/s | pdftotext s | pdftotext pages/s | PdfPig speed ÷ pdftotext | words agreeing | bomb guard share of PdfPig time |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows.Append(new Row("**total**", rows.Sum(r => r.Pages), rows.Sum(r => r.PdfPigSeconds),
                     rows.Sum(r => r.PopplerSeconds), rows.Average(r => r.WordAgreement), rows.Sum(r => r.GuardSeconds))))
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.File} | {row.Pages} | {row.PdfPigSeconds:F2} | {row.Pages / row.PdfPigSeconds:F0} | {row.PopplerSeconds:F2} | {row.Pages / row.PopplerSeconds:F0} | {row.PopplerSeconds / row.PdfPigSeconds:F2}× | {row.WordAgreement:P1} | {row.GuardSeconds / row.PdfPigSeconds:P1} |");
        }

        return s.ToString();
    }

    private static string PopplerVersion()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftotext", ["-v"]) { RedirectStandardError = true, RedirectStandardOutput = true });
            var text = process!.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return text.Split('\n')[0].Replace("pdftotext version ", "", StringComparison.Ordinal).Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not installed";
        }
    }

    private static string? OptionValue(string[] options, string name)
    {
        var index = Array.IndexOf(options, name);
        return index >= 0 && index + 1 < options.Length ? options[index + 1] : null;
    }

    private sealed record Row(string File, int Pages, double PdfPigSeconds, double PopplerSeconds, double WordAgreement, double GuardSeconds);
}
