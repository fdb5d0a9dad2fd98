namespace Lookalike.Web.Hosting;

/// <summary>A request the server refuses, with the status and the reason shown to the client as problem details.</summary>
/// <param name="status">HTTP status code (4xx).</param>
/// <param name="title">Short, fixed summary of the problem type.</param>
/// <param name="detail">What exactly was wrong with this request.</param>
public sealed class RequestProblemException(int status, string title, string detail) : Exception(detail)
{
    /// <summary>HTTP status code.</summary>
    public int Status { get; } = status;

    /// <summary>Short summary of the problem type.</summary>
    public string Title { get; } = title;
}
