using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Lookalike.Errors;
using Lookalike.Features;

namespace Lookalike.Onnx;

public sealed partial class OnnxFeatureExtractor
{
    /// <summary>An image ready for the network, or the reason it is not.</summary>
    private sealed record Prepared(ImageInput Input, float[]? Tensor, int Width, int Height, string? Error, ImageProblem? Problem = null);

    /// <inheritdoc/>
    public async Task<float[]> ExtractAsync(IReadOnlyList<ImageInput> images, CancellationToken cancellationToken = default)
    {
        int length = _preprocessor.TensorLength, d = Metadata.Dimension;
        var result = new float[images.Count * d];
        for (int start = 0; start < images.Count; start += _options.BatchSize)
        {
            int count = Math.Min(_options.BatchSize, images.Count - start);
            var batch = new float[count * length];
            try
            {
                await Task.Run(() => Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellationToken },
                    i => Prepare(images[start + i], batch.AsSpan(i * length, length))), cancellationToken);
            }
            catch (AggregateException e) when (e.InnerExceptions.OfType<ImageDecodeException>().FirstOrDefault() is { } decode)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(decode);
            }
            Run(batch, count).CopyTo(result.AsSpan(start * d));
        }
        return result;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<FeatureResult> ExtractStreamAsync(IAsyncEnumerable<ImageInput> images,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = linked.Token;
        int capacity = Math.Max(2, _options.BatchSize * 2);
        var inputs = Channel.CreateBounded<ImageInput>(capacity);
        var prepared = Channel.CreateBounded<Prepared>(capacity);

        var reader = Task.Run(async () =>
        {
            try
            {
                await foreach (var image in images.WithCancellation(token)) await inputs.Writer.WriteAsync(image, token);
                inputs.Writer.Complete();
            }
            catch (Exception e)
            {
                inputs.Writer.Complete(e);
            }
        }, token);
        var decoders = Enumerable.Range(0, _options.DecodeThreads)
            .Select(_ => Task.Run(() => DecodeLoopAsync(inputs.Reader, prepared.Writer, token), token))
            .ToArray();
        var decodersDone = Task.WhenAll(decoders).ContinueWith(
            t => prepared.Writer.TryComplete(t.Exception?.GetBaseException()), TaskScheduler.Default);

        var batch = new List<Prepared>(_options.BatchSize);
        var tensor = new float[_options.BatchSize * _preprocessor.TensorLength];
        try
        {
            while (await prepared.Reader.WaitToReadAsync(token))
            {
                // Take what is ready, up to a batch; never wait for a full batch while work is queued.
                while (batch.Count < _options.BatchSize && prepared.Reader.TryRead(out var item))
                {
                    if (item.Error is not null)
                    {
                        yield return new FeatureResult(item.Input, null, 0, 0, item.Error, item.Problem);
                        continue;
                    }
                    batch.Add(item);
                }
                if (batch.Count == 0) continue;
                foreach (var result in RunBatch(batch, tensor)) yield return result;
                batch.Clear();
            }
            await reader;
            await decodersDone;
            // Surface a failure of the caller's input sequence.
            await inputs.Reader.Completion;
        }
        finally
        {
            linked.Cancel();
            foreach (var item in batch) Return(item);
        }
    }

    private IEnumerable<FeatureResult> RunBatch(List<Prepared> batch, float[] tensor)
    {
        int length = _preprocessor.TensorLength, d = Metadata.Dimension;
        for (int i = 0; i < batch.Count; i++) batch[i].Tensor.AsSpan(0, length).CopyTo(tensor.AsSpan(i * length, length));
        float[] features = Run(tensor, batch.Count);
        var results = new FeatureResult[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            results[i] = new FeatureResult(item.Input, features.AsSpan(i * d, d).ToArray(), item.Width, item.Height, null);
            Return(item);
        }
        batch.Clear();
        return results;
    }

    private async Task DecodeLoopAsync(ChannelReader<ImageInput> inputs, ChannelWriter<Prepared> output, CancellationToken token)
    {
        int length = _preprocessor.TensorLength;
        await foreach (var input in inputs.ReadAllAsync(token))
        {
            Prepared item;
            float[] tensor = ArrayPool<float>.Shared.Rent(length);
            try
            {
                var (w, h) = Prepare(input, tensor.AsSpan(0, length));
                item = new Prepared(input, tensor, w, h, null);
            }
            catch (ImageDecodeException e)
            {
                ArrayPool<float>.Shared.Return(tensor);
                item = new Prepared(input, null, 0, 0, e.Reason, e.Problem);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A decoder bug on one odd file must not end the run: report it like a bad file.
                ArrayPool<float>.Shared.Return(tensor);
                item = new Prepared(input, null, 0, 0, $"cannot decode: {e.Message}");
            }
            await output.WriteAsync(item, token);
        }
    }

    private static void Return(Prepared item)
    {
        if (item.Tensor is not null) ArrayPool<float>.Shared.Return(item.Tensor);
    }
}
