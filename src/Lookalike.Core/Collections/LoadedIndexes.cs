using System.Collections.Concurrent;
using Lookalike.Indexes;

namespace Lookalike.Collections;

/// <summary>
/// The indexes a collection has loaded or built, keyed by metric and canonical spec (the spec with
/// every parameter written out), for the stores to share: searches find a loaded index under the
/// shared read lock; only loading or building one takes the single upgradeable lock.
/// </summary>
/// <param name="registry">The index types specs may name.</param>
/// <param name="dimension">Vector dimension of the collection.</param>
/// <param name="gate">The collection's gate: reads hold it shared, changes exclusively.</param>
public sealed class LoadedIndexes(IndexRegistry registry, int dimension, ReaderWriterLockSlim gate) : IDisposable
{
    private readonly Dictionary<(DistanceMetric, string), IVectorIndex> _indexes = [];
    private readonly ConcurrentDictionary<(DistanceMetric, string), string> _canonical = new();

    /// <summary>Every loaded index (callers hold the gate).</summary>
    public IEnumerable<IVectorIndex> All => _indexes.Values;

    /// <summary>Whether none is loaded (callers hold the gate).</summary>
    public bool IsEmpty => _indexes.Count == 0;

    /// <summary>What <paramref name="spec"/> prints as once parsed (its parameters written out).</summary>
    /// <exception cref="Errors.LookalikeException">for a spec that does not parse.</exception>
    public string Canonical(DistanceMetric metric, string spec) => _canonical.GetOrAdd((metric, spec), key =>
    {
        using var probe = registry.Create(dimension, key.Item2, key.Item1);
        return probe.Spec;
    });

    /// <summary>
    /// The loaded index for (<paramref name="metric"/>, <paramref name="spec"/>), or the one
    /// <paramref name="load"/> makes (called with the canonical spec, under the upgradeable lock, so
    /// that searches go on meanwhile and an index is made once).
    /// </summary>
    public IVectorIndex GetOrLoad(DistanceMetric metric, string spec, Func<DistanceMetric, string, IVectorIndex> load)
    {
        string canonical = Canonical(metric, spec);
        gate.EnterReadLock();
        try
        {
            if (_indexes.TryGetValue((metric, canonical), out var cached)) return cached;
        }
        finally
        {
            gate.ExitReadLock();
        }
        gate.EnterUpgradeableReadLock();
        try
        {
            if (_indexes.TryGetValue((metric, canonical), out var existing)) return existing;
            var index = load(metric, canonical);
            gate.EnterWriteLock();
            try
            {
                _indexes[(metric, canonical)] = index;
            }
            finally
            {
                gate.ExitWriteLock();
            }
            return index;
        }
        finally
        {
            gate.ExitUpgradeableReadLock();
        }
    }

    /// <summary>Keeps <paramref name="index"/> for (metric, canonical spec), disposing the one it replaces (callers hold the write lock).</summary>
    public void Keep(DistanceMetric metric, string canonicalSpec, IVectorIndex index)
    {
        if (_indexes.Remove((metric, canonicalSpec), out var old) && !ReferenceEquals(old, index)) old.Dispose();
        _indexes[(metric, canonicalSpec)] = index;
    }

    /// <summary>Disposes and forgets every loaded index (callers hold the write lock).</summary>
    public void Clear()
    {
        foreach (var index in _indexes.Values) index.Dispose();
        _indexes.Clear();
    }

    /// <inheritdoc/>
    public void Dispose() => Clear();
}
