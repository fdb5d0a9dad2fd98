using System.Diagnostics;
using System.Text.Json;
using Lookalike.IO;
using Lookalike.Progress;

namespace Lookalike.Indexing;

/// <summary>What an index run is doing, as it last wrote it beside the collection (so a server can show it).</summary>
/// <param name="Stage">The stage, e.g. "Indexing" or "Indexes".</param>
/// <param name="Completed">Items of the stage done.</param>
/// <param name="Total">Items of the stage, when known.</param>
/// <param name="Folder">The folder being indexed.</param>
/// <param name="StartedAt">When the run began.</param>
/// <param name="UpdatedAt">When this was written.</param>
/// <param name="Finished">Whether the run has ended.</param>
/// <param name="ProcessId">The process of the run.</param>
public sealed record IndexingStatus(string Stage, long Completed, long? Total, string Folder, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt,
    bool Finished, int ProcessId)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The file's name in the collection's local folder.</summary>
    public const string FileName = "indexing-status.json";

    /// <summary>Whether the run is still going: not finished, and its process alive (a killed run does not look busy forever).</summary>
    public bool Running
    {
        get
        {
            if (Finished) return false;
            try
            {
                using var process = Process.GetProcessById(ProcessId);
                return !process.HasExited;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }

    /// <summary>The status in <paramref name="folder"/>, or null when no run wrote one (or it cannot be read).</summary>
    public static IndexingStatus? Read(string folder)
    {
        try
        {
            return JsonSerializer.Deserialize<IndexingStatus>(File.ReadAllBytes(Path.Combine(folder, FileName)), Json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes a run's progress into <paramref name="folder"/> (at most once a second); disposing it marks the run finished.</summary>
    public static Reporter Report(string folder, string indexedFolder) => new(folder, indexedFolder);

    /// <summary>Writes updates as <see cref="IndexingStatus"/>; <see cref="Dispose"/> marks the run finished.</summary>
    public sealed class Reporter(string folder, string indexedFolder) : IDisposable
    {
        private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
        private readonly Lock _gate = new();
        private ProgressUpdate _last = new("Starting", 0, null);
        private long _writtenTicks;

        /// <summary>A sink that passes each update on to <paramref name="next"/> and records it.</summary>
        public IProgress<ProgressUpdate> Wrap(IProgress<ProgressUpdate>? next) => new Forward(this, next);

        /// <inheritdoc/>
        public void Dispose() => Write(_last, finished: true, force: true);

        private void Write(ProgressUpdate value, bool finished, bool force)
        {
            lock (_gate)
            {
                _last = value;
                long now = Environment.TickCount64;
                bool stageDone = value.Total is { } total && value.Completed >= total;
                if (!force && !stageDone && now - _writtenTicks < 1000) return;
                _writtenTicks = now;
                var status = new IndexingStatus(value.Stage, value.Completed, value.Total, indexedFolder, _started, DateTimeOffset.UtcNow, finished,
                    Environment.ProcessId);
                try
                {
                    AtomicFile.Write(Path.Combine(folder, FileName), s => JsonSerializer.Serialize(s, status, Json));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Showing progress elsewhere is a courtesy: a read-only or full folder does not stop the run.
                }
            }
        }

        private sealed class Forward(Reporter status, IProgress<ProgressUpdate>? next) : IProgress<ProgressUpdate>
        {
            public void Report(ProgressUpdate value)
            {
                next?.Report(value);
                status.Write(value, finished: false, force: false);
            }
        }
    }
}
