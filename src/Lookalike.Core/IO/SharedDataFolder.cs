namespace Lookalike.IO;

/// <summary>
/// The shared data folder of a checkout (reference model, photos, CIFAR-10 as images): <c>LOOKALIKE_SHARED</c>,
/// else a <c>shared</c> folder holding <c>datasets/cifar10</c> beside or above the working directory or the program.
/// </summary>
public static class SharedDataFolder
{
    /// <summary>The folder, or null when there is none.</summary>
    public static string? Find()
    {
        static bool Holds(string folder) => Directory.Exists(Path.Combine(folder, "datasets", "cifar10", "train"));
        if (Environment.GetEnvironmentVariable("LOOKALIKE_SHARED") is { Length: > 0 } named) return Holds(named) ? Path.GetFullPath(named) : null;
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                string candidate = Path.Combine(folder.FullName, "shared");
                if (Holds(candidate)) return candidate;
            }
        }
        return null;
    }
}
