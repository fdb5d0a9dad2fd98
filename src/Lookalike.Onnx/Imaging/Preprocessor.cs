namespace Lookalike.Onnx.Imaging;

/// <summary>Turns resized RGBA pixels into one image's slice of the network's input tensor.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
internal sealed class Preprocessor
{
    private readonly OnnxFeatureExtractorOptions _options;
    private readonly float[] _multiplier = new float[3];
    private readonly float[] _offset = new float[3];
    private readonly int[] _sourceChannel;

    public Preprocessor(OnnxFeatureExtractorOptions options)
    {
        _options = options;
        // Tensor channel c reads pixel byte _sourceChannel[c]; value = v * multiplier + offset.
        _sourceChannel = options.ChannelOrder == ChannelOrder.Bgr ? [2, 1, 0] : [0, 1, 2];
        for (int c = 0; c < 3; c++)
        {
            _multiplier[c] = options.Scale / options.Std[c];
            _offset[c] = -options.Mean[c] / options.Std[c];
        }
    }

    /// <summary>Values per image: 3 × height × width.</summary>
    public int TensorLength => 3 * _options.Width * _options.Height;

    public void Fill(DecodedImage image, Span<float> tensor)
    {
        int pixels = image.Width * image.Height;
        ReadOnlySpan<byte> rgba = image.Rgba;
        if (_options.Layout == TensorLayout.Nchw)
        {
            for (int c = 0; c < 3; c++)
            {
                var plane = tensor.Slice(c * pixels, pixels);
                int source = _sourceChannel[c];
                float m = _multiplier[c], o = _offset[c];
                for (int p = 0; p < pixels; p++) plane[p] = (rgba[(p * 4) + source] * m) + o;
            }
        }
        else
        {
            for (int p = 0; p < pixels; p++)
            {
                for (int c = 0; c < 3; c++)
                    tensor[(p * 3) + c] = (rgba[(p * 4) + _sourceChannel[c]] * _multiplier[c]) + _offset[c];
            }
        }
    }
}
