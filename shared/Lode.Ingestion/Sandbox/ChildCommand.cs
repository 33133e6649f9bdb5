using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Lode.Ocr;

namespace Lode.Ingestion.Sandbox;

/// <summary>
/// How a child is started: <c>prlimit</c> (util-linux) sets its address space, CPU time and core-dump limits before the
/// runtime starts (an address-space limit set later would not bound the heap the runtime has already reserved), then
/// execs the same <c>dotnet</c> that runs the app on Lode.Extractor.dll from the app's folder. Its environment is
/// built from an allow-list: the app's variables hold database and store credentials, which the child must never see.
/// Its temporary folder (TMPDIR, and its working directory) is one of its own, which the app deletes when the child
/// is gone (<see cref="ExtractorChild"/>).
/// </summary>
public sealed class ChildCommand
{
    public const string ExtractorAssembly = "Lode.Extractor.dll";

    // Enough for the runtime to find its culture data, time zone and temporary folder; nothing that names a service.
    private static readonly string[] PassedVariables = ["PATH", "LANG", "LC_ALL", "TZ"];

    private const string TestFaultVariable = "LODE_EXTRACTOR_TEST_FAULT";

    // The app's OCR settings, as JSON: the child reads scanned pages with them (Lode.Extractor.Extractors).
    private const string OcrVariable = "LODE_EXTRACTOR_OCR";

    // The smallest gen-0 budget of the child's GC: 64 MiB. Extraction allocates fast and briefly (PdfPig parses every
    // page into short-lived objects); with the runtime's default budget the child spent measurably more CPU than the
    // same extraction in-process (docs/benchmarks.md, "Extraction sandbox", levers). Costs at most that much more
    // resident memory per child, well inside its address-space limit.
    private const string Gen0SizeVariable = "DOTNET_GCgen0size";
    private const string Gen0Size = "0x4000000";

    private readonly string _prlimit;
    private readonly string _dotnet;
    private readonly string _extractor;
    private readonly string? _testFault;
    private readonly string _ocr;

    public ChildCommand(string? testFault = null, OcrOptions? ocr = null)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            throw new PlatformNotSupportedException(
                "Sandboxed extraction needs Linux (prlimit); set Ingestion:Sandbox:Enabled=false on other systems.");
        }
        _prlimit = FindPrlimit() ?? throw new InvalidOperationException(
            "Sandboxed extraction needs prlimit (Debian package util-linux) on PATH or in /usr/bin; " +
            "install it or set Ingestion:Sandbox:Enabled=false.");
        _dotnet = FindDotnet();
        _extractor = Path.Combine(AppContext.BaseDirectory, ExtractorAssembly);
        if (!File.Exists(_extractor))
        {
            throw new InvalidOperationException(
                $"The sandboxed extractor {_extractor} is missing: the app's project must reference Lode.Extractor.");
        }
        _testFault = testFault;
        _ocr = JsonSerializer.Serialize(ocr ?? new OcrOptions());
    }

    /// <param name="temporaryDirectory">The child's own temporary folder: what it and the tools it runs write there.</param>
    public ProcessStartInfo StartInfo(ChildLimits limits, string temporaryDirectory)
    {
        var start = new ProcessStartInfo(_prlimit)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = temporaryDirectory,
        };
        // Soft CPU limit: SIGXCPU, which kills a .NET process; the per-document soft limit is moved by ProcessLimits.
        start.ArgumentList.Add($"--cpu={limits.CpuSeconds}:{limits.LifetimeCpuSeconds}");
        start.ArgumentList.Add($"--as={limits.AddressSpaceBytes}");
        // No core files: a core of an extractor holds a document's text.
        start.ArgumentList.Add("--core=0");
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(_dotnet);
        start.ArgumentList.Add(_extractor);

        start.Environment.Clear();
        foreach (var name in PassedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value) start.Environment[name] = value;
        }
        start.Environment["TMPDIR"] = temporaryDirectory;
        // A crash must not leave a dump of a document behind either.
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        start.Environment[Gen0SizeVariable] = Gen0Size;
        start.Environment[OcrVariable] = _ocr;
        if (_testFault is not null) start.Environment[TestFaultVariable] = _testFault;
        return start;
    }

    private static string? FindPrlimit() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/bin")
            .Select(dir => Path.Combine(dir, "prlimit"))
            .FirstOrDefault(File.Exists);

    // The muxer of the runtime this process runs on: <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet.
    private static string FindDotnet()
    {
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar);
        var root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var dotnet = Path.Combine(root, "dotnet");
        return File.Exists(dotnet)
            ? dotnet
            : throw new InvalidOperationException($"No dotnet host at {dotnet} (runtime directory {runtimeDirectory}).");
    }
}
