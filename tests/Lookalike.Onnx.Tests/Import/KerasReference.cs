namespace Lookalike.Onnx.Tests.Import;

/// <summary>
/// The small test network computed directly in NHWC with TensorFlow's padding rules, in double
/// precision: what Keras would output.
/// </summary>
internal static class KerasReference
{
    private sealed record Map(double[] V, int H, int W, int C)
    {
        public double this[int y, int x, int c] => V[(((y * W) + x) * C) + c];
    }

    public static (float[] Features, float[] Probs) Run(float[] input, int size, int channels, Dictionary<string, float[]> w)
    {
        var x = new Map(input.Select(v => (double)v).ToArray(), size, size, channels);
        x = Pad(x, top: 1, bottom: 0, left: 0, right: 1);
        x = Conv(x, w["conv/kernel"], 3, 3, 5, stride: 2, w["conv/bias"], depthwise: false);
        var bn = new double[x.V.Length];
        for (int i = 0; i < bn.Length; i++)
        {
            int c = i % 5;
            double normalised = (x.V[i] - w["bn/moving_mean"][c]) / Math.Sqrt(w["bn/moving_variance"][c] + 0.001);
            bn[i] = Math.Max(0, (normalised * w["bn/gamma"][c]) + w["bn/beta"][c]);
        }
        x = Conv(x with { V = bn }, w["dw/depthwise_kernel"], 3, 3, 5, stride: 1, null, depthwise: true);
        x = MaxPoolSame(x, 2, 2);
        var features = new double[5];
        for (int i = 0; i < x.V.Length; i++) features[i % 5] += x.V[i] / (x.H * x.W);
        var logits = new double[4];
        for (int o = 0; o < 4; o++)
        {
            logits[o] = w["fc/bias"][o];
            for (int i = 0; i < 5; i++) logits[o] += features[i] * w["fc/kernel"][(i * 4) + o];
        }
        double max = logits.Max(), sum = logits.Sum(l => Math.Exp(l - max));
        return (features.Select(f => (float)f).ToArray(), logits.Select(l => (float)(Math.Exp(l - max) / sum)).ToArray());
    }

    private static Map Pad(Map x, int top, int bottom, int left, int right)
    {
        var result = new Map(new double[(x.H + top + bottom) * (x.W + left + right) * x.C], x.H + top + bottom, x.W + left + right, x.C);
        for (int y = 0; y < x.H; y++)
            for (int xx = 0; xx < x.W; xx++)
                for (int c = 0; c < x.C; c++) result.V[((((y + top) * result.W) + xx + left) * x.C) + c] = x[y, xx, c];
        return result;
    }

    /// <summary>TensorFlow "same": out = ⌈in/s⌉, total pad split with the smaller half before.</summary>
    private static (int Out, int Before) Same(int size, int kernel, int stride)
    {
        int output = (size + stride - 1) / stride;
        int total = Math.Max(((output - 1) * stride) + kernel - size, 0);
        return (output, total / 2);
    }

    private static Map Conv(Map x, float[] kernel, int kh, int kw, int outChannels, int stride, float[]? bias, bool depthwise)
    {
        var (oh, top) = Same(x.H, kh, stride);
        var (ow, left) = Same(x.W, kw, stride);
        var result = new Map(new double[oh * ow * outChannels], oh, ow, outChannels);
        for (int y = 0; y < oh; y++)
            for (int xx = 0; xx < ow; xx++)
                for (int o = 0; o < outChannels; o++)
                {
                    double sum = bias?[o] ?? 0;
                    for (int dy = 0; dy < kh; dy++)
                        for (int dx = 0; dx < kw; dx++)
                        {
                            int sy = (y * stride) + dy - top, sx = (xx * stride) + dx - left;
                            if (sy < 0 || sx < 0 || sy >= x.H || sx >= x.W) continue;
                            if (depthwise) sum += x[sy, sx, o] * kernel[(((dy * kw) + dx) * x.C) + o];
                            else
                                for (int i = 0; i < x.C; i++) sum += x[sy, sx, i] * kernel[(((((dy * kw) + dx) * x.C) + i) * outChannels) + o];
                        }
                    result.V[(((y * ow) + xx) * outChannels) + o] = sum;
                }
        return result;
    }

    private static Map MaxPoolSame(Map x, int pool, int stride)
    {
        var (oh, top) = Same(x.H, pool, stride);
        var (ow, left) = Same(x.W, pool, stride);
        var result = new Map(new double[oh * ow * x.C], oh, ow, x.C);
        for (int y = 0; y < oh; y++)
            for (int xx = 0; xx < ow; xx++)
                for (int c = 0; c < x.C; c++)
                {
                    double best = double.NegativeInfinity;
                    for (int dy = 0; dy < pool; dy++)
                        for (int dx = 0; dx < pool; dx++)
                        {
                            int sy = (y * stride) + dy - top, sx = (xx * stride) + dx - left;
                            if (sy >= 0 && sx >= 0 && sy < x.H && sx < x.W) best = Math.Max(best, x[sy, sx, c]);
                        }
                    result.V[(((y * ow) + xx) * x.C) + c] = best;
                }
        return result;
    }
}
