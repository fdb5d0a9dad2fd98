namespace Lookalike.Features;

/// <summary>
/// Records which image is being decoded, before the decoder runs, so that an image that kills the
/// process inside native decoding code can be named and skipped by the next run.
/// </summary>
/// <remarks>Implementations are safe to call from several decoding threads at once.</remarks>
public interface IDecodeJournal
{
    /// <summary>Marks <paramref name="source"/> as being decoded until the returned scope is disposed.</summary>
    IDisposable Begin(string source);
}
