using Lookalike.Onnx;
using Lookalike.Tests.Common;

namespace Lookalike.Onnx.Tests;

/// <summary>One loaded ResNet50 shared by the tests of a class (loading takes a second).</summary>
public sealed class ModelFixture : IDisposable
{
    private readonly Lazy<OnnxFeatureExtractor> _features = new(() =>
        new OnnxFeatureExtractor(OnnxFeatureExtractorOptions.ResNet50Keras(TestData.ModelPath)));

    public OnnxFeatureExtractor Features => _features.Value;

    public void Dispose()
    {
        if (_features.IsValueCreated) _features.Value.Dispose();
    }
}
