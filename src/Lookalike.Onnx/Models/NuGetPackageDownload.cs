using System.ComponentModel;
using System.Diagnostics;
using Lookalike.Errors;
using Lookalike.IO;

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
        string packages = Path.Combine(cacheDirectory, "nuget");
        string nupkg = Path.Combine(packages, id.ToLowerInvariant(), version, $"{id.ToLowerInvariant()}.{version}.nupkg");
        if (!File.Exists(nupkg)) await RestoreAsync(id, version, packages, cancellationToken);
        if (!File.Exists(nupkg)) throw new LookalikeException($"The restore of {id} {version} finished but left no {nupkg}.");
        Verify(nupkg, sha256, $"{id} {version}");
        return nupkg;
    }

    /// <summary>Throws unless <paramref name="file"/> has <paramref name="sha256"/>.</summary>
    public static void Verify(string file, string sha256, string what)
    {
        string actual = FileHash.Sha256Of(file);
        if (actual != sha256)
            throw new LookalikeException($"'{file}' has sha256 {actual}, but {what} has {sha256}: the file is corrupt or another package. Nothing was written.");
    }

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
