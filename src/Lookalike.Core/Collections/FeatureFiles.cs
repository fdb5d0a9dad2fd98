using System.Runtime.InteropServices;
using System.Text.Json;
using Lookalike.Errors;
using Lookalike.IO;
using Lookalike.Progress;

namespace Lookalike.Collections;

/// <summary>
/// A collection's features as files other tools read (numpy, faiss) and as computed elsewhere:
/// <c>FILE.npy</c> (float32, C order) or <c>FILE.fvecs</c>, with <c>FILE.paths.txt</c> and
/// <c>FILE.labels.txt</c> (one a line, escaped as <see cref="LineText"/> does) and
/// <c>FILE.model.json</c> (the model description of the features).
/// </summary>
public static class FeatureFiles
{
    /// <summary>Writes every live image's features and sidecars; returns (rows, dimension).</summary>
    /// <exception cref="LookalikeException">when <paramref name="path"/> does not end in .npy or .fvecs.</exception>
    public static async Task<(int Rows, int Dimension)> ExportAsync(ImageCollection collection, string path,
        CancellationToken cancellationToken = default)
    {
        bool npy = IsNpy(path);
        var (images, vectors) = await collection.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        var model = collection.Model;
        if (npy) NpyFile.Write(path, vectors, images.Count, model.Dimension);
        else FvecsFile.Write(path, vectors, model.Dimension);
        AtomicFile.WriteAllText(path + ".labels.txt", string.Join('\n', images.Select(i => LineText.Escape(i.Label ?? ""))) + "\n");
        AtomicFile.WriteAllText(path + ".paths.txt", string.Join('\n', images.Select(i => LineText.Escape(i.Path))) + "\n");
        AtomicFile.WriteAllText(path + ".model.json", JsonSerializer.Serialize(model, EmbeddedFormat.Json));
        return (images.Count, model.Dimension);
    }

    /// <summary>Reads a model description written by <see cref="ExportAsync"/> (or by hand: id, sha256, path, dimension, preprocessing).</summary>
    public static ModelReference ReadModelDescription(string path)
    {
        try
        {
            var model = JsonSerializer.Deserialize<ModelReference>(File.ReadAllBytes(path), EmbeddedFormat.Json)
                ?? throw new JsonException("empty");
            if (model.Id is null || model.Sha256 is not { Length: 64 } || model.Dimension < 1)
                throw new JsonException("it needs id, a 64-hex-digit sha256 and a positive dimension");
            return model;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new LookalikeException($"Model description '{path}' cannot be used: {e.Message}", e);
        }
    }

    /// <summary>
    /// Adds vectors computed elsewhere to <paramref name="collection"/>: row i of
    /// <paramref name="featuresPath"/> is the image at line i of <paramref name="pathsFile"/> (label from
    /// <paramref name="labelsFile"/> when given). An image's identity is the SHA-256 of its file when the
    /// file exists, else of its vector, so importing the same rows twice adds nothing. Commits every
    /// <paramref name="commitEvery"/> rows.
    /// </summary>
    /// <returns>Rows read and rows added.</returns>
    public static async Task<(int Rows, int Added)> ImportAsync(ImageCollection collection, string featuresPath, string pathsFile,
        string? labelsFile, IProgress<ProgressUpdate>? progress = null, int commitEvery = 10_000, CancellationToken cancellationToken = default)
    {
        var (vectors, rows, dimension) = IsNpy(featuresPath) ? NpyFile.Read(featuresPath) : FvecsFile.Read(featuresPath);
        int expected = collection.Model.Dimension;
        if (dimension != expected)
            throw new LookalikeException($"'{featuresPath}' holds {dimension}-d vectors; the collection's model gives {expected}-d.");
        string[] paths = Lines(pathsFile, rows, "paths");
        string?[] labels = labelsFile is null ? new string?[rows] : Labels(labelsFile, rows);
        int added = 0;
        for (int i = 0; i < rows; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            float[] row = vectors.AsSpan(i * dimension, dimension).ToArray();
            if (!row.All(float.IsFinite)) throw new LookalikeException($"Row {i} of '{featuresPath}' holds a NaN or infinite value.");
            var file = new FileInfo(paths[i]);
            string sha256 = file.Exists ? FileHash.Sha256Of(paths[i]) : FileHash.Sha256Of(MemoryMarshal.AsBytes(row.AsSpan()));
            long bytes = file.Exists ? file.Length : 0;
            var (_, isNew) = await collection.AddAsync(new NewImage(paths[i], sha256, labels[i], bytes, 0, 0, row), cancellationToken).ConfigureAwait(false);
            if (isNew) added++;
            if ((i + 1) % commitEvery == 0)
            {
                await collection.CommitAsync(cancellationToken).ConfigureAwait(false);
                progress?.Report(new ProgressUpdate("Importing", i + 1, rows));
            }
        }
        await collection.CommitAsync(cancellationToken).ConfigureAwait(false);
        progress?.Report(new ProgressUpdate("Importing", rows, rows));
        return (rows, added);
    }

    /// <summary>
    /// The labels of the <paramref name="rows"/> rows of <paramref name="featuresPath"/> from its
    /// <c>FILE.labels.txt</c> (an empty line: no label), or all null when there is no such file.
    /// </summary>
    /// <exception cref="LookalikeException">when the file has another number of lines.</exception>
    public static string?[] ReadLabels(string featuresPath, int rows)
    {
        string file = featuresPath + ".labels.txt";
        return File.Exists(file) ? Labels(file, rows) : new string?[rows];
    }

    /// <summary>One label a line (an empty line: no label).</summary>
    private static string?[] Labels(string file, int rows) => [.. Lines(file, rows, "labels").Select(l => l.Length == 0 ? null : l)];

    private static bool IsNpy(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".npy" => true,
        ".fvecs" => false,
        _ => throw new LookalikeException($"'{path}' must end in .npy or .fvecs."),
    };

    private static string[] Lines(string file, int rows, string what)
    {
        string[] lines;
        try
        {
            // One entry a line, the last one ended by a newline too (an empty last entry is an empty line).
            string text = File.ReadAllText(file);
            lines = (text.EndsWith('\n') ? text[..^1] : text).Split('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LookalikeException($"The {what} file '{file}' cannot be read: {e.Message}", e);
        }
        if (rows == 0 && lines is [""]) return [];
        if (lines.Length != rows)
            throw new LookalikeException($"The {what} file '{file}' has {lines.Length} line(s); the features have {rows} row(s): give one line per row.");
        return [.. lines.Select(LineText.Unescape)];
    }
}
