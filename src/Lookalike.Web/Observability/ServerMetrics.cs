using System.Diagnostics.Metrics;
using Lookalike.Collections;

namespace Lookalike.Web.Observability;

/// <summary>
/// What an operator scrapes besides ASP.NET Core's request metrics (<c>/metrics</c>): feature-extraction and index-search time,
/// candidates visited per query, the collection's size, uploads, and requests refused by reason.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Lookalike.Server";

    private readonly Meter _meter;
    private readonly Histogram<double> _extraction;
    private readonly Histogram<double> _search;
    private readonly Histogram<long> _visited;
    private readonly Counter<long> _uploads;
    private readonly Counter<long> _rejected;

    public ServerMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _extraction = _meter.CreateHistogram<double>("lookalike.extraction.duration", "s", "Time to decode an image and run the network on it.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5] });
        _search = _meter.CreateHistogram<double>("lookalike.search.duration", "s", "Time the index took to answer a query.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5] });
        _visited = _meter.CreateHistogram<long>("lookalike.search.visited", "{image}", "Candidates the index looked at per query.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [10, 100, 500, 1000, 5000, 10000, 50000, 100000, 1000000] });
        _uploads = _meter.CreateCounter<long>("lookalike.uploads", "{image}", "Uploads added to the collection (added=false: it held them already).");
        _rejected = _meter.CreateCounter<long>("lookalike.requests.rejected", "{request}", "Requests refused, by reason.");
    }

    /// <summary>Reports the collection's size through <paramref name="count"/> (read at each scrape).</summary>
    public void ObserveCollection(Func<long> count) =>
        _meter.CreateObservableGauge("lookalike.collection.images", count, "{image}", "Images in the collection.");

    public void Extracted(TimeSpan elapsed) => _extraction.Record(elapsed.TotalSeconds);

    public void Searched(SearchResponse response)
    {
        var tag = new KeyValuePair<string, object?>("index", response.IndexSpec);
        _search.Record(response.Elapsed.TotalSeconds, tag);
        _visited.Record(response.Stats.CandidatesVisited, tag);
    }

    public void Uploaded(bool added) => _uploads.Add(1, new KeyValuePair<string, object?>("added", added));

    /// <summary>Counts a refused request; <paramref name="reason"/> is a short fixed word (e.g. <c>rate_limited</c>, <c>invalid_key</c>).</summary>
    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => _meter.Dispose();
}
