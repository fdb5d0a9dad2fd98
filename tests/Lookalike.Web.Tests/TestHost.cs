using Lookalike.Errors;
using Lookalike.Web.Hosting;

// The entry point the in-memory test server starts (WebApplicationFactory<Program>): what any host of
// the web library does — build the app from settings, then run it.
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

/// <summary>The test host's entry point (named so that WebApplicationFactory can start it).</summary>
public partial class Program;
