using System.Text;
using Lode.Ingestion;
using Lode.Ingestion.Extraction;
using Lode.Ingestion.Sandbox;
using Lode.Ocr;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Sandbox;

/// <summary>Real sandboxed runners (real Lode.Extractor children) and the documents the sandbox tests feed them.</summary>
internal static class SandboxFixtures
{
    public static SandboxedExtraction Runner(SandboxOptions? sandbox = null, IngestionOptions? ingestion = null) =>
        new(Options.Create(sandbox ?? new SandboxOptions()), Options.Create(ingestion ?? new IngestionOptions()),
            Options.Create(new OcrOptions()), NullLogger<SandboxedExtraction>.Instance);

    public static SandboxedExtraction MisbehavingRunner(string fault, int wallSeconds = 60, int cpuSeconds = 60,
        int addressSpaceMegabytes = 4_096, int maxOutputMegabytes = 16) =>
        Runner(new SandboxOptions
        {
            TestFault = fault, WallSeconds = wallSeconds, CpuSeconds = cpuSeconds,
            AddressSpaceMegabytes = addressSpaceMegabytes, MaxOutputMegabytes = maxOutputMegabytes,
        });

    public static ExtractorRegistry Registry { get; } =
        new ServiceCollection().AddTextExtraction().BuildServiceProvider().GetRequiredService<ExtractorRegistry>();

    public static Task<ExtractedDocument> ExtractAsync(IDocumentExtraction runner, string key, byte[] bytes) =>
        runner.ExtractAsync(Registry.GetExtractor(key, null), new MemoryStream(bytes, writable: false),
            ExtractionLimits.Default, CancellationToken.None);

    public static byte[] Markdown(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The document: 500,000 nested &lt;div&gt; (5.5 MB), which pinned a worker for 13 minutes and more.</summary>
    public static byte[] NestedDivs(int depth = 500_000)
    {
        var html = new StringBuilder(depth * 11 + 64);
        html.Append("<html><body>");
        for (var i = 0; i < depth; i++) html.Append("<div>");
        html.Append("deep");
        for (var i = 0; i < depth; i++) html.Append("</div>");
        html.Append("</body></html>");
        return Encoding.UTF8.GetBytes(html.ToString());
    }
}
