using System.Diagnostics;
using Lookalike.Tests.Common;

namespace Lookalike.Web.Tests;

/// <summary>
/// The tools that check the OpenAPI contract: Redocly CLI (installed by <c>./test</c> with npm under <c>artifacts/tools</c>) and
/// Kiota (the repository's dotnet tool manifest, restored by <c>./test</c>).
/// </summary>
internal static class ContractTools
{
    public static string Redocly => Path.Combine(TestData.RepositoryRoot, "artifacts", "tools", "node_modules", ".bin", "redocly");

    public static bool KiotaRestored { get; } = Run("dotnet", ["tool", "run", "kiota", "--version"], TestData.RepositoryRoot, TimeSpan.FromMinutes(1)).ExitCode == 0;

    /// <summary>Runs a program to its end; returns its exit code and its output and error text.</summary>
    public static (int ExitCode, string Output) Run(string program, IEnumerable<string> arguments, string folder, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["NO_COLOR"] = "1";
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"{program} ran past {timeout}");
            }
            return (process.ExitCode, output.Result + error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}

/// <summary>A fact that needs Redocly CLI; skipped without it, except in CI.</summary>
public sealed class RedoclyFactAttribute : FactAttribute
{
    public RedoclyFactAttribute()
    {
        if (TestData.InCi) return;
        if (!TestData.SharedDataPresent) Skip = $"Shared test data not found at {TestData.SharedDir}.";
        else if (!File.Exists(ContractTools.Redocly)) Skip = $"{ContractTools.Redocly} is not installed (./test installs it).";
    }
}

/// <summary>A fact that needs the Kiota dotnet tool; skipped without it, except in CI.</summary>
public sealed class KiotaFactAttribute : FactAttribute
{
    public KiotaFactAttribute()
    {
        if (TestData.InCi) return;
        if (!TestData.SharedDataPresent) Skip = $"Shared test data not found at {TestData.SharedDir}.";
        else if (!ContractTools.KiotaRestored) Skip = "The Kiota tool is not restored (dotnet tool restore).";
    }
}
