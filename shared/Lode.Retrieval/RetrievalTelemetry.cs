using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Lode.Retrieval;

/// <summary>
/// Retrieval's metrics and traces, both named <c>Lode.Retrieval</c>: how long a search takes (query embedding and the
/// SQL round trip together) and a <see cref="SpanName"/> span per search. Neither carries the query, the reader's
/// groups or any chunk text: only the mode, the requested count and how many chunks came back.
/// </summary>
public sealed class RetrievalTelemetry : IDisposable
{
    public const string Name = "Lode.Retrieval";

    /// <summary>Histogram (seconds) of one search, tagged <c>mode</c>: hybrid, vector, text.</summary>
    public const string DurationName = "lode.retrieval.duration";

    public const string SpanName = "lode.retrieval.search";

    private static readonly ActivitySource Source = new(Name);

    private readonly Meter? _ownMeter;
    private readonly Histogram<double> _duration;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (the host's), or on a meter of its own.</summary>
    public RetrievalTelemetry(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(Name) ?? (_ownMeter = new Meter(Name));
        _duration = meter.CreateHistogram<double>(DurationName, unit: "s", description: "Time one search took, query embedding included.");
    }

    internal static Activity? StartSearch(SearchRequest request)
    {
        var span = Source.StartActivity(SpanName);
        span?.SetTag("lode.search.mode", ModeTag(request.Mode));
        span?.SetTag("lode.search.top", request.Top);
        return span;
    }

    internal void Searched(Activity? span, SearchMode mode, TimeSpan elapsed, int results)
    {
        span?.SetTag("lode.search.results", results);
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("mode", ModeTag(mode)));
    }

    internal static void Failed(Activity? span, Exception error)
    {
        if (span is null) return;
        // The type only: an exception's message may quote the query.
        span.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
        span.SetTag("error.type", error.GetType().FullName);
    }

    public void Dispose() => _ownMeter?.Dispose();

    private static string ModeTag(SearchMode mode) => mode switch
    {
        SearchMode.Hybrid => "hybrid",
        SearchMode.Vector => "vector",
        SearchMode.Text => "text",
        _ => "unknown",
    };
}
