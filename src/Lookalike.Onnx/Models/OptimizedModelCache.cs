using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Lookalike.IO;
using Microsoft.ML.OnnxRuntime;

namespace Lookalike.Onnx.Models;

/// <summary>
/// ONNX Runtime's graph optimisations (fusions, constant folding, the NCHWc layout for the CPU's vector
/// width) take most of the time a session needs to open. Their result is saved once per model, ONNX
/// Runtime version and CPU kind, and later sessions load it with optimisations off (ONNX Runtime's
/// offline mode), so a one-off search opens its model in a fraction of the time. The saved graph is
/// specific to the CPU's instruction set, hence the CPU kind in its name; a file that cannot be loaded
/// is replaced, a folder that cannot be written only costs the optimisation.
/// </summary>
public sealed class OptimizedModelCache(string folder)
{
    /// <summary>The folder holding the optimised models.</summary>
    public string Folder => folder;

    /// <summary>The optimised form of the model whose hash is <paramref name="sha256"/>, on this runtime and CPU.</summary>
    public string PathFor(string sha256) => Path.Combine(folder, $"{sha256[..Math.Min(32, sha256.Length)]}-{Signature}.onnx");

    /// <summary>Runtime version, architecture and the vector instruction sets the optimised graph may depend on.</summary>
    public static string Signature { get; } = FileHash.Sha256Of(System.Text.Encoding.UTF8.GetBytes(string.Join(';',
        OrtEnv.Instance().GetVersionString(), RuntimeInformation.ProcessArchitecture,
        Avx2.IsSupported, Fma.IsSupported, Avx512F.IsSupported, Avx512BW.IsSupported, AvxVnni.IsSupported,
        System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported, System.Runtime.Intrinsics.Arm.Dp.IsSupported)))[..16];

    /// <summary>
    /// A session of <paramref name="modelPath"/>: from the optimised file when there is one, else
    /// optimised now with <paramref name="sessionOptions"/> and saved for the next time.
    /// </summary>
    internal InferenceSession Open(string modelPath, string sha256, SessionOptions sessionOptions)
    {
        string optimised = PathFor(sha256);
        if (File.Exists(optimised))
        {
            var level = sessionOptions.GraphOptimizationLevel;
            try
            {
                sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
                return new InferenceSession(optimised, sessionOptions);
            }
            catch (OnnxRuntimeException)
            {
                // Damaged or from another runtime build: optimise again below.
                sessionOptions.GraphOptimizationLevel = level;
            }
        }
        string temporary = $"{optimised}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new InferenceSession(modelPath, sessionOptions);
        }
        sessionOptions.OptimizedModelFilePath = temporary;
        // ONNX Runtime warns that the saved graph is hardware specific; the file name says which hardware.
        sessionOptions.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
        var session = new InferenceSession(modelPath, sessionOptions);
        try
        {
            if (File.Exists(temporary)) File.Move(temporary, optimised, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another run saved it first, or the folder is read-only: this session is fine either way.
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
        return session;
    }
}
