using System.CommandLine;
using Lookalike.Cli.Commands;
using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.Sessions;
using Spectre.Console;

namespace Lookalike.Cli;

/// <summary>The <c>lookalike</c> command line: verbs, option parsing, and turning errors into one line and an exit code.</summary>
public static class LookalikeCli
{
    /// <summary>Exit code of a user error (bad input, missing folder, wrong model).</summary>
    public const int UserError = 1;

    /// <summary>Exit code of a malformed command line.</summary>
    public const int UsageError = 2;

    /// <summary>Runs the command line; output goes to <paramref name="console"/>, errors to <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, TextWriter error,
        CancellationToken cancellationToken = default)
    {
        var context = new CliContext(console, error, LookalikeServices.CreateDefault());
        var root = new RootCommand("Lookalike: find the images that look like this one (deep CNN features + vector search).")
        {
            IndexCommand.Create(context),
            ReindexCommand.Create(context),
            MigrateCommand.Create(context),
            ClusterCommand.Create(context),
            ImportCommand.Create(context),
            SearchCommand.Create(context),
            InfoCommand.Create(context),
            ModelCommand.Create(context),
            BenchCommand.Create(context),
            EvalCommand.Create(context),
            ExportCommand.Create(context),
            ServeCommand.Create(context),
            KeysCommand.Create(context),
            SweepCommand.Create(context),
            TuneCommand.Create(context),
            StatsCommand.Create(context),
            CheckCommand.Create(context),
            DuplicatesCommand.Create(context),
            RemoveCommand.Create(context),
            TrainCommand.Create(context),
            DecodeWorkerCommand.Create(),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors) await error.WriteLineAsync($"error: {parseError.Message}");
            await error.WriteLineAsync("Run 'lookalike --help' (or 'lookalike <verb> --help') for usage.");
            return UsageError;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (LookalikeException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return UserError;
        }
        catch (Exception e) when (StorageException.IsStorageFailure(e))
        {
            // A read-only folder, a missing permission or a full disk is the user's to fix, not a crash.
            await error.WriteLineAsync($"error: {e.Message}");
            return UserError;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("Cancelled; work finished so far was saved.");
            return 130;
        }
    }
}

/// <summary>Where a command writes.</summary>
/// <param name="Console">Standard output, as a Spectre console.</param>
/// <param name="Error">Standard error.</param>
/// <param name="Services">The index types and collection stores the program knows.</param>
public sealed record CliContext(IAnsiConsole Console, TextWriter Error, LookalikeServices Services)
{
    /// <summary>The index types specs may name.</summary>
    public IndexRegistry Indexes => Services.Indexes;

    /// <summary>Opens collections by location.</summary>
    public ICollectionProvider Collections => Services.Collections;
}
