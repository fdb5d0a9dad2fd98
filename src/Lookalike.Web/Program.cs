using Lookalike.Errors;
using Lookalike.Web.Hosting;

try
{
    await using var app = await SearchServer.BuildAsync(args);
    await app.RunAsync();
    return 0;
}
catch (LookalikeException e)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return 1;
}

/// <summary>The web app's entry point (named so that tests can host it).</summary>
public partial class Program;
