using Lookalike.Collections;

namespace Lookalike.Features;

/// <summary>Conversions between extractor metadata and what collections record.</summary>
public static class FeatureExtractorMetadataExtensions
{
    /// <summary>The model reference a collection stores for features of this extractor.</summary>
    public static ModelReference ToModelReference(this FeatureExtractorMetadata metadata) =>
        new(metadata.ModelId, metadata.ModelSha256, metadata.ModelPath, metadata.Dimension, metadata.Preprocessing, metadata.HeadPath,
            metadata.Description);
}
