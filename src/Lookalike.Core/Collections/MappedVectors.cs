using System.IO.MemoryMappedFiles;
using Lookalike.Errors;
using Lookalike.Indexes;

namespace Lookalike.Collections;

/// <summary>
/// The vectors of an embedded collection, read in place: committed rows through a read-only
/// memory map of <c>vectors.f32</c> (the operating system's page cache is the only copy, shared by
/// every index and every process reading the folder), rows not committed yet from memory. Row i
/// holds the vector of image id i.
/// </summary>
/// <remarks>
/// Reads are thread-safe. <see cref="Map"/>, <see cref="AddPending"/> and <see cref="ClearPending"/>
/// need exclusive access (the collection's write gate); spans handed out before a remap must not
/// be used after it.
/// </remarks>
internal sealed unsafe class MappedVectors : IVectorSource, IDisposable
{
    private readonly string _path;
    private readonly List<float[]> _pending = [];
    private MemoryMappedFile? _file;
    private MemoryMappedViewAccessor? _view;
    private byte* _base;

    public MappedVectors(string path, int dimension)
    {
        _path = path;
        Dimension = dimension;
    }

    /// <inheritdoc/>
    public int Dimension { get; }

    /// <summary>Committed rows mapped.</summary>
    public long CommittedRows { get; private set; }

    /// <summary>Committed and pending rows.</summary>
    public long Rows => CommittedRows + _pending.Count;

    /// <summary>Rows not committed yet, in id order after the committed ones.</summary>
    public IReadOnlyList<float[]> Pending => _pending;

    /// <summary>Maps the first <paramref name="rows"/> rows of the file (after a commit, or another process's).</summary>
    public void Map(long rows)
    {
        Unmap();
        CommittedRows = rows;
        if (rows == 0) return;
        long bytes = rows * Dimension * sizeof(float);
        try
        {
            using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length < bytes)
                throw new LookalikeException($"'{_path}' holds fewer rows ({stream.Length / (Dimension * sizeof(float))}) than committed ({rows}).");
            _file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            _view = _file.CreateViewAccessor(0, bytes, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _base = pointer + _view.PointerOffset;
        }
        catch
        {
            Unmap();
            CommittedRows = 0;
            throw;
        }
    }

    /// <summary>Holds a row added since the last commit.</summary>
    public void AddPending(float[] vector) => _pending.Add(vector);

    /// <summary>Forgets the pending rows (committed, or undone).</summary>
    public void ClearPending() => _pending.Clear();

    /// <inheritdoc/>
    public bool Contains(long id) => id >= 0 && id < Rows;

    /// <inheritdoc/>
    public ReadOnlySpan<float> Vector(long id)
    {
        if (id >= 0 && id < CommittedRows) return new ReadOnlySpan<float>(_base + (id * Dimension * sizeof(float)), Dimension);
        long pending = id - CommittedRows;
        return pending >= 0 && pending < _pending.Count
            ? _pending[(int)pending]
            : throw new LookalikeException($"The collection holds no vector with id {id}.");
    }

    private void Unmap()
    {
        if (_view is not null && _base is not null) _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _base = null;
        _view?.Dispose();
        _view = null;
        _file?.Dispose();
        _file = null;
    }

    public void Dispose() => Unmap();
}
