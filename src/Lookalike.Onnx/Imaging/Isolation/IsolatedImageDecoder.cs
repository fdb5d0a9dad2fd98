using System.Collections.Concurrent;
using System.Diagnostics;
using Lookalike.Errors;

namespace Lookalike.Onnx.Imaging.Isolation;

/// <summary>
/// Decodes untrusted images in worker processes (<c>lookalike-decoder</c>), so that a native
/// decoder crash, abort or hang on a hostile file ends a worker, never the caller: the image gets an
/// <see cref="ImageDecodeException"/> (<see cref="ImageProblem.CrashedDecoder"/> or
/// <see cref="ImageProblem.TimedOut"/>) and the next image gets a fresh worker. Workers are also
/// replaced after a number of decodes or when their memory grows, so the native memory of large
/// images goes back to the system.
/// </summary>
/// <remarks>Thread-safe: up to <see cref="IsolatedDecoderOptions.Workers"/> decodes run at once, one a worker.</remarks>
public sealed class IsolatedImageDecoder : IImageDecoder, IDisposable
{
    private readonly IsolatedDecoderOptions _options;
    private readonly ConcurrentBag<Worker> _idle = [];
    private readonly SemaphoreSlim _slots;
    private int _replaced;
    private bool _disposed;

    /// <summary>Starts one worker now, so the first image does not wait for it.</summary>
    public IsolatedImageDecoder(IsolatedDecoderOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1);
        _options = options;
        _slots = new SemaphoreSlim(options.Workers);
        try
        {
            _idle.Add(Worker.Start(options));
        }
        catch (InvalidOperationException e)
        {
            throw new LookalikeException(e.Message, e);
        }
    }

    /// <summary>Workers that died or were killed (crash, time-out) and were replaced.</summary>
    public int Replaced => Volatile.Read(ref _replaced);

    /// <summary>Process ids of the idle workers (for diagnostics).</summary>
    public IReadOnlyList<int> IdleWorkerIds => [.. _idle.Select(w => w.ProcessId)];

    /// <inheritdoc/>
    public DecodedImage Load(ReadOnlySpan<byte> encoded, string source, int width, int height)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // The managed header check runs here too: a container or a pixel bomb never costs a worker.
        var header = ImageHeader.Read(encoded, source);
        _options.Loader.EnsureWithinLimits(header.Width, header.Height, source);
        _slots.Wait();
        Worker? worker = null;
        try
        {
            if (_idle.TryTake(out var idle))
            {
                if (idle.IsAlive) worker = idle;
                else Retire(idle);
            }
            worker ??= Worker.Start(_options);
            var image = worker.Decode(encoded, source, width, height, _options.Loader.MaxPixels, _options.Timeout, out var failure);
            if (failure is not null)
            {
                Retire(worker);
                worker = null;
                Interlocked.Increment(ref _replaced);
                throw failure == WorkerFailure.TimedOut
                    ? new ImageDecodeException(source,
                        $"decoding this {header.Format.ToUpperInvariant()} image took longer than {_options.Timeout.TotalSeconds:0.#} s; it was stopped",
                        ImageProblem.TimedOut)
                    : new ImageDecodeException(source,
                        $"this {header.Format.ToUpperInvariant()} image crashed the image decoder; it was not processed",
                        ImageProblem.CrashedDecoder);
            }
            if (worker.Decodes >= _options.RecycleAfter || worker.ResidentBytes() > _options.RecycleAboveBytes)
            {
                Retire(worker);
                worker = null;
            }
            return image!;
        }
        finally
        {
            if (worker is not null) _idle.Add(worker);
            _slots.Release();
        }
    }

    /// <summary>Why the workers cannot decode a tiny known image, or null when they can (a start-up check).</summary>
    public string? Check()
    {
        // A 1×1 GIF: the smallest valid input of a format every worker decodes.
        byte[] gif = [0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3B];
        try
        {
            Load(gif, "start-up check", 1, 1);
            return null;
        }
        catch (ImageDecodeException e)
        {
            return e.Reason;
        }
    }

    /// <summary>Lets a worker go without keeping the caller waiting for it to exit.</summary>
    private static void Retire(Worker worker) => _ = Task.Run(worker.Dispose);

    /// <summary>Stops every worker.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var worker)) worker.Dispose();
        _slots.Dispose();
    }

    private enum WorkerFailure
    {
        Died,
        TimedOut,
    }

    /// <summary>One worker process and its pipes.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly Process _process;

        private Worker(Process process) => _process = process;

        public int Decodes { get; private set; }

        public int ProcessId => _process.Id;

        public bool IsAlive => !_process.HasExited;

        public static Worker Start(IsolatedDecoderOptions options)
        {
            var start = new ProcessStartInfo(options.FileName)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (string argument in options.Arguments) start.ArgumentList.Add(argument);
            // A small, quickly returned heap: the worker holds one image at a time.
            start.Environment["DOTNET_gcServer"] = "0";
            start.Environment["DOTNET_GCConserveMemory"] = "7";
            try
            {
                return new Worker(Process.Start(start) ?? throw new InvalidOperationException("no process"));
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                // The server's own fault, not the image's: a 500 for the request, a start-up error for the server.
                throw new InvalidOperationException($"Cannot start the decoding worker '{options.FileName}': {e.Message}", e);
            }
        }

        public DecodedImage? Decode(ReadOnlySpan<byte> encoded, string source, int width, int height, long maxPixels, TimeSpan timeout,
            out WorkerFailure? failure)
        {
            Decodes++;
            bool timedOut = false;
            using var watchdog = new Timer(_ =>
            {
                timedOut = true;
                Kill();
            }, null, timeout, Timeout.InfiniteTimeSpan);
            try
            {
                DecodeProtocol.WriteRequest(_process.StandardInput.BaseStream, width, height, maxPixels, source, encoded);
                var image = DecodeProtocol.ReadAnswer(_process.StandardOutput.BaseStream, source, width, height);
                failure = null;
                return image;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException)
            {
                // A broken pipe or an answer cut short: the worker died (or was killed by the watchdog).
                watchdog.Change(Timeout.Infinite, Timeout.Infinite);
                failure = timedOut ? WorkerFailure.TimedOut : WorkerFailure.Died;
                return null;
            }
        }

        public long ResidentBytes()
        {
            try
            {
                _process.Refresh();
                return _process.WorkingSet64;
            }
            catch (InvalidOperationException)
            {
                return long.MaxValue;
            }
        }

        public void Dispose()
        {
            try
            {
                _process.StandardInput.Close(); // end of input: the worker exits by itself
            }
            catch (IOException)
            {
            }
            if (!_process.WaitForExit(TimeSpan.FromMilliseconds(200))) Kill();
            _process.Dispose();
        }

        private void Kill()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }
}
