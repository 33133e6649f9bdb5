using System.Collections.Concurrent;
using Lode.Extraction.Protocol;
using Lode.Ocr;
using Lode.Ingestion.Extraction;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Sandbox;

/// <summary>
/// Extracts each document in a Lode.Extractor child process under CPU, wall-clock, address-space and output limits
/// (<see cref="ChildLimits"/>). Whatever the document does to its child — crash it, overflow its stack, exhaust its
/// memory, spin forever, flood its output — the child is killed or dies and the document is rejected at once with the
/// reason (<see cref="RejectedDocumentException"/>), never retried; the app and its worker slot carry on. Up to
/// <see cref="SandboxOptions.WarmChildren"/> children stay running between documents, so start-up is amortised.
/// </summary>
public sealed class SandboxedExtraction : IDocumentExtraction, IDisposable
{
    private readonly ChildCommand _command;
    private readonly ChildLimits _limits;
    private readonly int _warmChildren;
    private readonly ILogger<SandboxedExtraction> _logger;
    private readonly ConcurrentBag<ExtractorChild> _idle = [];

    public SandboxedExtraction(IOptions<SandboxOptions> sandbox, IOptions<IngestionOptions> ingestion, IOptions<OcrOptions> ocr,
        ILogger<SandboxedExtraction> logger)
    {
        _command = new ChildCommand(sandbox.Value.TestFault, ocr.Value);
        _limits = ChildLimits.From(sandbox.Value, ingestion.Value);
        _warmChildren = sandbox.Value.WarmChildren;
        _logger = logger;
    }

    public ChildLimits Limits => _limits;

    public async Task<ExtractedDocument> ExtractAsync(ITextExtractor extractor, Stream content, ExtractionLimits limits,
        CancellationToken cancellationToken)
    {
        // The child picks the extractor by extension; any extension of the chosen extractor names it.
        var request = new ExtractionRequest(extractor.Extensions.First(), limits, await ReadAllAsync(content, cancellationToken));
        var child = TakeIdle() ?? await ExtractorChild.StartAsync(_command, _limits, cancellationToken);
        ExtractionResponse response;
        try
        {
            response = await child.ExtractAsync(request, cancellationToken);
        }
        catch (ChildFailureException e)
        {
            child.Dispose();
            _logger.LogWarning("Sandboxed extraction failed: {Failure}: {Message}", e.Failure, e.Message);
            throw e.ToRejection();
        }
        catch
        {
            child.Dispose();
            throw;
        }

        GiveBack(child);
        return response switch
        {
            ExtractionResponse.Extracted extracted => extracted.Document,
            ExtractionResponse.Rejected rejected => throw new RejectedDocumentException(rejected.Reason, rejected.Message),
            ExtractionResponse.Failed { ExceptionType: "System.OutOfMemoryException" } => throw new ChildFailureException(
                ChildFailure.OutOfMemory,
                $"extraction ran out of memory (limit {_limits.AddressSpaceBytes >> 20} MB of address space)").ToRejection(),
            // The extractor threw on these bytes; it would throw again on every retry.
            ExtractionResponse.Failed failed => throw new RejectedDocumentException(RejectionReason.Corrupt,
                $"the extractor could not read the document ({failed.ExceptionType}: {failed.Message})"),
            _ => throw new InvalidOperationException($"Unknown response {response.GetType().Name}."),
        };
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var child)) child.Dispose();
    }

    private ExtractorChild? TakeIdle()
    {
        while (_idle.TryTake(out var child))
        {
            if (!child.HasExited) return child;
            child.Dispose();
        }
        return null;
    }

    private void GiveBack(ExtractorChild child)
    {
        if (_idle.Count < _warmChildren && child.CanServeAnother()) _idle.Add(child);
        else child.Dispose();
    }

    private static async Task<byte[]> ReadAllAsync(Stream content, CancellationToken cancellationToken)
    {
        if (content is MemoryStream memory) return memory.ToArray();
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }
}
