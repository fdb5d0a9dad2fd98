using Lookalike.Errors;

namespace Lookalike.Onnx.Imaging.Isolation;

/// <summary>
/// The body of the <c>lookalike-decoder</c> process: answers decode requests from its standard
/// input, one at a time, until the input ends. Whatever the native decoder does to this process
/// (a crash, an abort, a hang) the server that started it survives and starts another.
/// </summary>
public static class DecodeWorker
{
    /// <summary>Serves requests from <paramref name="input"/> on <paramref name="output"/>; returns the exit code.</summary>
    public static int Run(Stream input, Stream output)
    {
        var loaders = new Dictionary<long, ImageLoader>();
        while (DecodeProtocol.ReadRequest(input) is { } request)
        {
            if (!loaders.TryGetValue(request.MaxPixels, out var loader))
                loaders[request.MaxPixels] = loader = new ImageLoader(new ImageLoaderOptions { MaxPixels = request.MaxPixels });
            DecodedImage image;
            try
            {
                image = loader.Load(request.Encoded, request.Source, request.Width, request.Height);
            }
            catch (ImageDecodeException e)
            {
                DecodeProtocol.WriteProblem(output, e.Problem, e.Reason);
                continue;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                DecodeProtocol.WriteProblem(output, ImageProblem.Corrupt, $"cannot decode: {e.Message}");
                continue;
            }
            DecodeProtocol.WriteImage(output, image);
        }
        return 0;
    }
}
