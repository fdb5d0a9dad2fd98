using Spectre.Console;

namespace Lookalike.Cli.Tests;

/// <summary>Runs the real command line in-process and captures what it prints.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Task<Result> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>Runs until done or until <paramref name="cancellationToken"/> stops it (as Ctrl+C does).</summary>
    public static Task<Result> RunAsync(CancellationToken cancellationToken, params string[] args) =>
        RunAsync(new LiveOutput(), cancellationToken, args);

    /// <summary>As above, printing into <paramref name="output"/>, which a test can read while the command still runs.</summary>
    public static async Task<Result> RunAsync(LiveOutput output, CancellationToken cancellationToken, params string[] args)
    {
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 250;
        int code = await LookalikeCli.RunAsync(args, console, error, cancellationToken);
        return new Result(code, output.ToString(), error.ToString());
    }
}
