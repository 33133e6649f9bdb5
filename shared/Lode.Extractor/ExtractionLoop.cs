using Lode.Extraction.Protocol;
using Lode.Ingestion.Extraction;

namespace Lode.Extractor;

/// <summary>
/// Answers one request after another until the app closes stdin. Every document is extracted on its own; an exception
/// is answered, never allowed to end the loop, so that only a real crash (stack overflow, out of memory, a signal) ends
/// the process — and the app reports that as the document's failure.
/// </summary>
internal sealed class ExtractionLoop(Stream input, Stream output, TestFault fault)
{
    // Requests are documents of at most Storage:MaxObjectBytes (Int32 in the store's SDK) plus a small header.
    private const long MaxRequestBytes = int.MaxValue;

    private readonly ExtractorRegistry _extractors = new(Extractors.All());

    /// <summary>Warms the extractors up, then greets the app: from then on the child is ready for documents.</summary>
    public async Task<int> RunAsync()
    {
        WarmUp.Run(_extractors);
        await output.WriteAsync(ExtractionProtocol.Greeting());
        await output.FlushAsync();
        while (await ExtractionProtocol.ReadFrameAsync(input, MaxRequestBytes, CancellationToken.None) is { } payload)
        {
            fault.Trigger(output);
            var response = Answer(ExtractionRequest.Deserialize(payload));
            await ExtractionProtocol.WriteFrameAsync(output, response.Serialize(), CancellationToken.None);
        }
        return 0;
    }

    private ExtractionResponse Answer(ExtractionRequest request)
    {
        try
        {
            // The app chose the extractor by key and content type; it sends one of that extractor's extensions.
            var extractor = _extractors.GetExtractor("document" + request.Format, contentType: null);
            using var content = new MemoryStream(request.Content.ToArray(), writable: false);
            return new ExtractionResponse.Extracted(extractor.Extract(content, request.Limits, CancellationToken.None));
        }
        catch (RejectedDocumentException e)
        {
            return new ExtractionResponse.Rejected(e.Reason, e.Message);
        }
        catch (Exception e)
        {
            return new ExtractionResponse.Failed(e.GetType().FullName ?? e.GetType().Name, e.Message);
        }
    }
}
