namespace Lookalike.Onnx.Stages;

/// <summary>One convolution of a stage with its folded batch norm's bias: what a block is built from.</summary>
/// <param name="Name">Name of the convolution (e.g. conv5_block1_2_conv).</param>
/// <param name="Inputs">Input channels.</param>
/// <param name="Outputs">Output channels.</param>
/// <param name="Kernel">Kernel height and width.</param>
/// <param name="Stride">Step between output positions.</param>
/// <param name="Pad">Zeros on every side.</param>
/// <param name="Weights">[out, in, k, k].</param>
/// <param name="Bias">One per output channel.</param>
public sealed record ConvWeights(string Name, int Inputs, int Outputs, int Kernel, int Stride, int Pad, float[] Weights, float[] Bias);

/// <summary>A bottleneck block's convolutions: 1×1 reduce, k×k, 1×1 expand, and the projection of the shortcut (null: identity).</summary>
public sealed record BottleneckWeights(ConvWeights Reduce, ConvWeights Middle, ConvWeights Expand, ConvWeights? Projection);
