using Lookalike.Cli;
using Lookalike.Cli.Output;

return await LookalikeCli.RunAsync(args, CliConsole.Create(), Console.Error);
