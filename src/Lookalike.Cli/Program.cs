using Lookalike.Cli;
using Spectre.Console;

return await LookalikeCli.RunAsync(args, AnsiConsole.Console, Console.Error);
