using System.CommandLine;
using Lookalike.Onnx.Imaging.Isolation;

namespace Lookalike.Cli.Commands;

/// <summary>
/// <c>lookalike decode-worker</c> (hidden): the process <c>serve</c> starts to decode untrusted uploads,
/// so that a native decoder crash ends only the worker. Standard output carries protocol frames only.
/// </summary>
internal static class DecodeWorkerCommand
{
    public const string Name = "decode-worker";

    public static Command Create()
    {
        var command = new Command(Name, "Decode images for the server over standard input/output (started by 'serve').") { Hidden = true };
        command.SetAction(_ => DecodeWorker.Run(Console.OpenStandardInput(), Console.OpenStandardOutput()));
        return command;
    }

    /// <summary>The command line that starts this program as a decoding worker.</summary>
    public static IReadOnlyList<string> CommandLine()
    {
        string self = Environment.ProcessPath ?? "dotnet";
        string assembly = typeof(DecodeWorkerCommand).Assembly.Location;
        return Path.GetFileNameWithoutExtension(self) == "dotnet" ? [self, "exec", assembly, Name] : [self, Name];
    }
}
