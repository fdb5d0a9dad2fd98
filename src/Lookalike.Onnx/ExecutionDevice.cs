using System.Globalization;
using Lookalike.Errors;

namespace Lookalike.Onnx;

/// <summary>Where ONNX Runtime runs the network: the CPU, or CUDA device <see cref="CudaId"/>.</summary>
/// <param name="CudaId">The CUDA device's index, or null for the CPU.</param>
public readonly record struct ExecutionDevice(int? CudaId)
{
    /// <summary>The CPU.</summary>
    public static ExecutionDevice Cpu => default;

    /// <summary>True for a CUDA device.</summary>
    public bool IsCuda => CudaId is not null;

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> (device 0) or <c>cuda:N</c>; null or empty is the CPU.</summary>
    /// <exception cref="LookalikeException">for anything else.</exception>
    public static ExecutionDevice Parse(string? text)
    {
        string value = (text ?? "").Trim().ToLowerInvariant();
        if (value is "" or "cpu") return Cpu;
        if (value == "cuda") return new ExecutionDevice(0);
        if (value.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int id))
            return new ExecutionDevice(id);
        throw new LookalikeException($"Unknown device '{text}'; use cpu, cuda or cuda:N (N = the CUDA device's index).");
    }

    /// <inheritdoc/>
    public override string ToString() => CudaId is { } id ? $"cuda:{id}" : "cpu";
}
