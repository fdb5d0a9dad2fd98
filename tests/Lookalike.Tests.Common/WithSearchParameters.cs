using Lookalike.Indexes;

namespace Lookalike.Tests.Common;

/// <summary>
/// Searches an index with fixed search-time parameters (probes, efSearch, nprobe), through the
/// public search-parameter path, so measuring helpers that call <c>Search</c> plainly see them.
/// </summary>
public sealed class WithSearchParameters(IVectorIndex inner, SearchParameters parameters) : IVectorIndex
{
    public int Dimension => inner.Dimension;
    public long Count => inner.Count;
    public DistanceMetric Metric => inner.Metric;
    public bool IsTrained => true;
    public string Spec => inner.Spec;
    public void Train(ReadOnlySpan<float> vectors) { }
    public void Add(ReadOnlySpan<float> vectors, ReadOnlySpan<long> ids) => throw new NotSupportedException();
    public void Remove(ReadOnlySpan<long> ids) => throw new NotSupportedException();
    public SearchStats Search(ReadOnlySpan<float> queries, int k, Span<float> distances, Span<long> ids, SearchParameters? ignored = null) =>
        inner.Search(queries, k, distances, ids, parameters);
    public IVectorIndex CloneEmpty() => throw new NotSupportedException();
    public void WriteTo(BinaryWriter writer) => inner.WriteTo(writer);
    public void Dispose() { }
}
