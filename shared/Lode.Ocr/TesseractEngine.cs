using Microsoft.Extensions.Options;

namespace Lode.Ocr;

/// <summary>
/// <see cref="IOcrEngine"/> over Tesseract's command line (Debian's <c>tesseract-ocr</c>). Page segmentation mode 1
/// (automatic, with orientation and script detection) turns pages scanned at 90, 180 or 270 degrees before reading;
/// that needs <c>tesseract-ocr-osd</c>. Each run is single-threaded (OMP_THREAD_LIMIT=1): pages run in parallel one
/// level up, where their number is configured, and OpenMP threads on top of that only contend for the same cores.
/// </summary>
public sealed class TesseractEngine(IOptions<OcrOptions> options) : IOcrEngine
{
    /// <summary>The command; Debian installs it on the PATH.</summary>
    public const string Command = "tesseract";

    private static readonly Dictionary<string, string> SingleThreaded = new() { ["OMP_THREAD_LIMIT"] = "1" };
    private static readonly TimeSpan DescribeTimeout = TimeSpan.FromSeconds(30);

    public async Task<IReadOnlyList<OcrPage>> RecognizeAsync(string imagePath, int? dpi, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Checked before Tesseract decodes anything: a 40,000 × 40,000 PNG is a few kilobytes and gigabytes unpacked.
        ImageHeader.EnsureWithinBounds(imagePath);
        List<string> arguments = [imagePath, "stdout", "-l", options.Value.Languages, "--psm", "1"];
        if (dpi is { } known) arguments.AddRange(["--dpi", known.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        arguments.Add("tsv");

        var result = await ToolProcess.RunAsync(Command, arguments, timeout, cancellationToken, SingleThreaded);
        if (result.ExitCode != 0)
            throw new OcrFailedException($"tesseract failed (exit {result.ExitCode}): {FirstLine(result.Errors)}");
        return TesseractTsv.Parse(result.Output);
    }

    public async Task<OcrEngineInfo> DescribeAsync(CancellationToken cancellationToken)
    {
        var version = await ToolProcess.RunAsync(Command, ["--version"], DescribeTimeout, cancellationToken);
        var languages = await ToolProcess.RunAsync(Command, ["--list-langs"], DescribeTimeout, cancellationToken);
        if (version.ExitCode != 0 || languages.ExitCode != 0)
            throw new OcrFailedException($"tesseract could not describe itself: {FirstLine(version.Errors + languages.Errors)}");

        // "tesseract 5.3.0" then library versions; older builds print it on stderr.
        var first = FirstLine(version.Output.Length > 0 ? version.Output : version.Errors);
        var installed = languages.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Skip(1) // "List of available languages in ..."
            .Order(StringComparer.Ordinal)
            .ToList();
        return new OcrEngineInfo(first.StartsWith("tesseract ", StringComparison.Ordinal) ? first["tesseract ".Length..] : first, installed);
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "(no message)";
}
