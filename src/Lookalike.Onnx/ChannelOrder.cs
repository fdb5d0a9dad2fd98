namespace Lookalike.Onnx;

/// <summary>Order of the colour channels the network expects.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue (torchvision, most ONNX zoo models).</summary>
    Rgb,

    /// <summary>Blue, green, red (Keras "caffe" preprocessing, Caffe models).</summary>
    Bgr,
}

/// <summary>Memory layout of the input tensor.</summary>
public enum TensorLayout
{
    /// <summary>[N, C, H, W].</summary>
    Nchw,

    /// <summary>[N, H, W, C].</summary>
    Nhwc,
}
