using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace Lookalike.Web.Hosting;

/// <summary>
/// Gives freed native memory back to the system every few seconds. ONNX Runtime and the decoder
/// allocate and free large blocks through the C library; glibc keeps freed blocks in its arenas, so
/// after a burst of large uploads the server would keep that memory for good.
/// </summary>
internal sealed class NativeMemoryTrimmer : BackgroundService
{
    /// <summary>How often freed memory is handed back.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    [DllImport("libc", EntryPoint = "malloc_trim")]
#pragma warning disable SYSLIB1054 // a blittable signature: the source generator would need unsafe code for nothing
    private static extern int MallocTrim(nuint pad);
#pragma warning restore SYSLIB1054

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!OperatingSystem.IsLinux()) return;
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                MallocTrim(0);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return; // not glibc: nothing to trim this way
            }
        }
    }
}
