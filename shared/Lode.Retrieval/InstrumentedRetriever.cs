using System.Diagnostics;

namespace Lode.Retrieval;

/// <summary>
/// The <see cref="IRetriever"/> callers get: the inner retriever (<see cref="HybridRetriever"/>) inside a span and a
/// latency measurement (<see cref="RetrievalTelemetry"/>), so search and chat are measured the same way.
/// </summary>
public sealed class InstrumentedRetriever(IRetriever inner, RetrievalTelemetry telemetry) : IRetriever
{
    public async Task<IReadOnlyList<RetrievedChunk>> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var span = RetrievalTelemetry.StartSearch(request);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var chunks = await inner.SearchAsync(request, cancellationToken);
            telemetry.Searched(span, request.Mode, Stopwatch.GetElapsedTime(started), chunks.Count);
            return chunks;
        }
        catch (Exception e)
        {
            RetrievalTelemetry.Failed(span, e);
            throw;
        }
    }
}
