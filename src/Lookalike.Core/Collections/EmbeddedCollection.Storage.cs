using System.Text.Json;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.IO;

namespace Lookalike.Collections;

public sealed partial class EmbeddedCollection
{
    private static SqliteMetadata CreateMetadata(string folder)
    {
        try
        {
            return SqliteMetadata.Open(folder, writable: true);
        }
        catch (Exception e) when (StorageException.IsStorageFailure(e))
        {
            throw new StorageException($"Cannot create the metadata of collection '{folder}'", e);
        }
    }

    private static LookalikeException NotACollection(string folder) =>
        new($"'{folder}' is not a Lookalike collection (no {EmbeddedFormat.ManifestFile}); run 'lookalike index <folder> --collection {folder}' first.");

    private static EmbeddedManifest ReadManifest(string folder)
    {
        string manifestPath = Path.Combine(folder, EmbeddedFormat.ManifestFile);
        if (!File.Exists(manifestPath))
            throw NotACollection(folder);
        try
        {
            var manifest = JsonSerializer.Deserialize<EmbeddedManifest>(File.ReadAllBytes(manifestPath), EmbeddedFormat.Json)
                ?? throw new JsonException("empty manifest");
            if (manifest.FormatVersion is < EmbeddedFormat.FirstVersion or > EmbeddedFormat.Version)
                throw new LookalikeException($"Collection '{folder}' has format version {manifest.FormatVersion}; this build reads versions {EmbeddedFormat.FirstVersion} to {EmbeddedFormat.Version}.");
            return manifest;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new LookalikeException($"Collection '{folder}' is damaged: {e.Message}", e);
        }
    }

    /// <summary>
    /// The committed state: the manifest, and the row count, generation and records of the metadata
    /// database (one read transaction, so a writer committing meanwhile is either wholly seen or not).
    /// </summary>
    private static (EmbeddedManifest, EmbeddedMetadata, SqliteMetadata) ReadCommitted(string folder, bool writable)
    {
        var manifest = ReadManifest(folder);
        if (!SqliteMetadata.Exists(folder))
            throw new LookalikeException($"Collection '{folder}' is damaged: {SqliteMetadata.FileName} is missing.");
        SqliteMetadata? store = null;
        try
        {
            store = SqliteMetadata.Open(folder, writable);
            var (rows, generation, metadata) = store.ReadCommitted();
            return (manifest with { Rows = rows, Generation = generation }, metadata, store);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException && !StorageException.IsStorageFailure(e) || e is InvalidDataException)
        {
            store?.Dispose();
            throw new LookalikeException($"Collection '{folder}' is damaged ({SqliteMetadata.FileName}): {e.Message}", e);
        }
        catch
        {
            store?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A format-1 collection (metadata as whole JSON generation files) moves its records into
    /// <c>metadata.db</c>; the manifest, rewritten last as format 2, is the migration's commit point,
    /// so an interrupted migration is simply redone.
    /// </summary>
    private static void MigrateFromJson(string folder, FileStream? lockStream)
    {
        var manifest = ReadManifest(folder);
        if (manifest.FormatVersion != EmbeddedFormat.FirstVersion) return;
        var heldLock = lockStream ?? AcquireWriteLock(folder);
        try
        {
            string jsonFile = Path.Combine(folder, manifest.MetadataFile ?? throw new LookalikeException($"Collection '{folder}' is damaged: the manifest names no metadata file."));
            EmbeddedMetadata metadata;
            try
            {
                metadata = JsonSerializer.Deserialize<EmbeddedMetadata>(File.ReadAllBytes(jsonFile), EmbeddedFormat.Json)
                    ?? throw new JsonException("empty metadata");
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                throw new LookalikeException($"Collection '{folder}' is damaged: {e.Message}", e);
            }
            try
            {
                SqliteMetadata.Delete(folder);
                using (var store = SqliteMetadata.Open(folder, writable: true))
                {
                    var images = metadata.Images.Take((int)manifest.Rows).ToList();
                    store.Commit(manifest.Generation, manifest.Rows, images, metadata.Deleted.Where(id => id < manifest.Rows),
                        metadata.Files.Select(f => new KeyValuePair<string, FileState?>(f.Key, f.Value)));
                }
                var upgraded = manifest with { FormatVersion = EmbeddedFormat.Version, MetadataFile = null, UpdatedAt = DateTimeOffset.UtcNow };
                AtomicFile.Write(Path.Combine(folder, EmbeddedFormat.ManifestFile), s => JsonSerializer.Serialize(s, upgraded, EmbeddedFormat.Json));
                foreach (string file in Directory.EnumerateFiles(folder, "metadata-*.json")) AtomicFile.TryDelete(file);
            }
            catch (Exception e) when (StorageException.IsStorageFailure(e))
            {
                throw new StorageException($"Cannot upgrade collection '{folder}' to format {EmbeddedFormat.Version}", e);
            }
        }
        finally
        {
            if (lockStream is null) heldLock.Dispose();
        }
    }

    private static EmbeddedCollection Load(string folder, FileStream? lockStream, bool writable, IndexRegistry registry)
    {
        MigrateFromJson(folder, lockStream);
        var (manifest, metadata, store) = ReadCommitted(folder, writable);
        try
        {
            long vectorBytes = manifest.Rows * manifest.Model.Dimension * sizeof(float);
            var vectors = new FileInfo(Path.Combine(folder, EmbeddedFormat.VectorsFile));
            long actual = vectors.Exists ? vectors.Length : 0;
            if (actual < vectorBytes || metadata.Images.Count < manifest.Rows)
                throw new LookalikeException($"Collection '{folder}' is damaged: {manifest.Rows} rows are committed but fewer are stored.");
            if (writable)
            {
                try
                {
                    // Rows past the committed count belong to a commit that never finished.
                    if (actual > vectorBytes)
                    {
                        using var stream = new FileStream(vectors.FullName, FileMode.Open, FileAccess.Write);
                        stream.SetLength(vectorBytes);
                    }
                    AtomicFile.CleanTemporaries(folder);
                }
                catch (Exception e) when (StorageException.IsStorageFailure(e))
                {
                    throw new StorageException($"Cannot open collection '{folder}' for writing", e);
                }
            }
            var collection = new EmbeddedCollection(folder, lockStream, manifest, metadata, registry, store);
            collection._manifestSeen = ManifestStamp(Path.Combine(folder, EmbeddedFormat.ManifestFile));
            return collection;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }
}
