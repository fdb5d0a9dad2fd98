using Lookalike.Indexes;

namespace Lookalike.Duplicates;

/// <summary>Why files belong together.</summary>
public enum DuplicateKind
{
    /// <summary>Byte-identical files: one content (one SHA-256) found under several paths.</summary>
    Exact,

    /// <summary>Different files whose features are at least the threshold's cosine similarity apart (re-encoded, resized, retouched).</summary>
    Near,
}

/// <summary>One file of a duplicate group.</summary>
/// <param name="ImageId">The collection's image that holds its content.</param>
/// <param name="Path">Where the file is.</param>
/// <param name="Sha256">Its content hash.</param>
/// <param name="Label">Its image's label, when known.</param>
/// <param name="Bytes">File size.</param>
/// <param name="Width">Pixel width.</param>
/// <param name="Height">Pixel height.</param>
/// <param name="AddedAt">When its content was added to the collection.</param>
/// <param name="Similarity">Cosine similarity of its features to the keeper's (1 for the keeper and for exact copies).</param>
public sealed record DuplicateMember(long ImageId, string Path, string Sha256, string? Label, long Bytes, int Width, int Height,
    DateTimeOffset AddedAt, float Similarity)
{
    /// <summary>Width × height.</summary>
    public long Pixels => (long)Width * Height;
}

/// <summary>Files that are copies of one another; the first member is the one suggested to keep.</summary>
/// <param name="Kind">Exact copies or near-duplicates.</param>
/// <param name="Members">Two or more files, the keeper first, then by similarity to it.</param>
public sealed record DuplicateGroup(DuplicateKind Kind, IReadOnlyList<DuplicateMember> Members)
{
    /// <summary>The file suggested to keep: the most pixels, then the one first added (for exact copies: the path the collection holds).</summary>
    public DuplicateMember Keeper => Members[0];

    /// <summary>Every member but the keeper.</summary>
    public IEnumerable<DuplicateMember> Others => Members.Skip(1);
}

/// <summary>How to look for duplicates.</summary>
/// <param name="Threshold">Near-duplicates are pairs at least this cosine similar (0..1].</param>
/// <param name="ExactOnly">Only byte-identical files.</param>
/// <param name="Neighbours">Nearest neighbours asked of the index per image: the edges of the k-NN graph whose components are the groups.</param>
/// <param name="IndexSpec">The index that finds the neighbours, or null for the collection's approximate index.</param>
public sealed record DuplicateOptions(float Threshold = DuplicateOptions.DefaultThreshold, bool ExactOnly = false,
    int Neighbours = DuplicateOptions.DefaultNeighbours, string? IndexSpec = null)
{
    /// <summary>The default threshold (see docs/duplicates.md for how it was chosen).</summary>
    public const float DefaultThreshold = 0.95f;

    /// <summary>The default number of neighbours per image.</summary>
    public const int DefaultNeighbours = 10;

    /// <summary>Throws unless the options make sense.</summary>
    /// <exception cref="Errors.LookalikeException">for a threshold outside (0, 1] or neighbours outside 1..100.</exception>
    public void Validate()
    {
        if (!(Threshold is > 0f and <= 1f)) throw new Errors.LookalikeException($"The threshold must be a cosine similarity in (0, 1] (was {Threshold}).");
        if (Neighbours is < 1 or > 100) throw new Errors.LookalikeException($"Neighbours must be between 1 and 100 (was {Neighbours}).");
    }
}

/// <summary>What a duplicate search found and what it cost.</summary>
/// <param name="Groups">Exact groups first (largest first), then near-duplicate groups (largest first).</param>
/// <param name="Options">What was asked.</param>
/// <param name="IndexSpec">The index that found the neighbours (null when only exact copies were looked for).</param>
/// <param name="Images">Images of the collection looked at.</param>
/// <param name="Stats">What the neighbour searches cost, summed.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record DuplicateReport(IReadOnlyList<DuplicateGroup> Groups, DuplicateOptions Options, string? IndexSpec, long Images,
    SearchStats Stats, TimeSpan Elapsed)
{
    /// <summary>Files that are not their group's keeper: what <see cref="DuplicateMover"/> would move.</summary>
    public int Redundant => Groups.Sum(g => g.Members.Count - 1);
}
