using System.Runtime.CompilerServices;

namespace Lookalike.Collections;

/// <summary>The ways the stores take their gate (a <see cref="ReaderWriterLockSlim"/>) around a piece of work, and hand out snapshots.</summary>
public static class GateExtensions
{
    /// <summary>Runs <paramref name="read"/> under the shared lock.</summary>
    public static T Reading<T>(this ReaderWriterLockSlim gate, Func<T> read)
    {
        gate.EnterReadLock();
        try
        {
            return read();
        }
        finally
        {
            gate.ExitReadLock();
        }
    }

    /// <summary>Runs <paramref name="write"/> under the exclusive lock.</summary>
    public static T Writing<T>(this ReaderWriterLockSlim gate, Func<T> write)
    {
        gate.EnterWriteLock();
        try
        {
            return write();
        }
        finally
        {
            gate.ExitWriteLock();
        }
    }

    /// <summary>Runs <paramref name="write"/> under the exclusive lock.</summary>
    public static void Writing(this ReaderWriterLockSlim gate, Action write) => gate.Writing(() =>
    {
        write();
        return true;
    });

    /// <summary>The items of a snapshot taken under the shared lock, one at a time (the lock is not held while the caller iterates).</summary>
    public static async IAsyncEnumerable<T> Snapshot<T>(this ReaderWriterLockSlim gate, Func<IReadOnlyList<T>> take,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var items = gate.Reading(take);
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
        await Task.CompletedTask;
    }
}
