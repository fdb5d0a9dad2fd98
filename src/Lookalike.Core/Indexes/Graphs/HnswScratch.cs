namespace Lookalike.Indexes.Graphs;

/// <summary>What one thread's graph walk reuses from query to query: visited marks, heaps, link and vector buffers.</summary>
internal sealed class HnswScratch(int dimension, int maxLinks)
{
    public VisitedSet Visited { get; } = new();

    public NodeHeap Candidates { get; } = new(farthestOnTop: false);

    public NodeHeap Results { get; } = new(farthestOnTop: true);

    /// <summary>A node's links copied out (under its lock while the graph is built in parallel).</summary>
    public int[] Links { get; } = new int[maxLinks + 1];

    /// <summary>Neighbours chosen for a node being inserted, layer by layer from its top: [count, rows…] per layer.</summary>
    public List<int> Chosen { get; } = [];

    public List<float> FoundDistances { get; } = [];

    public List<int> FoundRows { get; } = [];

    public List<int> Selected { get; } = [];

    /// <summary>The vector being inserted (a normalised copy for shared cosine rows).</summary>
    public float[] Vector { get; } = new float[dimension];
}
