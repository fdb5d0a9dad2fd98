using System.Diagnostics;
using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Indexes;
using Lookalike.Tests.Common;
using Npgsql;

namespace Lookalike.Storage.Postgres.Tests;

/// <summary>What the PostgreSQL store does beyond the collection contract: shared by servers, atomic commits, snapshots, migrations.</summary>
public sealed class PostgresStoreTests
{
    private const int D = 16;
    private static readonly ModelReference Model = new("pg-model", new string('a', 64), "/models/pg.onnx", D, "none");
    private static readonly PostgresCollectionProvider Provider = new(IndexRegistry.Builtin);
    private static int _next;

    private static string NewLocation() => TemporaryPostgres.Shared.Location($"store_{Environment.ProcessId}_{Interlocked.Increment(ref _next)}");

    private static NewImage Image(int i, float[] data) => new($"/photos/{i}.jpg", $"{i:x64}", i % 2 == 0 ? "even" : null, 10 + i, 4, 3,
        data.AsSpan(i * D, D).ToArray());

    private static async Task<ImageCollection> CreateAsync(string location, string index = "Flat") =>
        await Provider.OpenAsync(location, CollectionAccess.WriteOrCreate, new NewCollection(Model, DistanceMetric.L2, index));

    private static async Task<long> NearestAsync(ImageCollection collection, float[] data, int i, string spec = "Flat") =>
        (await collection.SearchAsync(data.AsSpan(i * D, D).ToArray(), new SearchOptions(1, IndexSpec: spec))).Hits[0].Image.Id;

    [PostgresFact]
    public async Task An_image_added_through_one_server_is_found_through_another_within_a_second()
    {
        string location = NewLocation();
        float[] data = RandomVectors.Gaussian(50, D, seed: 3);
        await using var first = await CreateAsync(location);
        for (int i = 0; i < 40; i++) await first.AddAsync(Image(i, data));
        await first.CommitAsync();
        await using var second = await CreateAsync(location);
        Assert.Equal(40, second.Count);

        // As the servers' followers do: wait for an announcement (or half a second), then take it in.
        var clock = Stopwatch.StartNew();
        var (id, added) = await second.AddAsync(Image(45, data));
        Assert.True(added);
        await second.CommitAsync();
        while (await first.GetAsync(id) is null && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await first.WaitForChangeAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None);
            first.Refresh();
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(id, await NearestAsync(first, data, 45));
        Assert.Equal(41, first.Count);
    }

    [PostgresFact]
    public async Task Two_writers_interleave_commits_and_the_same_content_is_kept_once()
    {
        string location = NewLocation();
        float[] data = RandomVectors.Gaussian(100, D, seed: 4);
        await using var a = await CreateAsync(location);
        await using var b = await CreateAsync(location);
        for (int i = 0; i < 30; i++)
        {
            await a.AddAsync(Image(i, data));
            await b.AddAsync(Image(50 + i, data));
            if (i % 7 == 0)
            {
                await a.CommitAsync();
                await b.CommitAsync();
            }
        }
        // Both add image 99; whoever commits second keeps the first one's copy.
        var (fromA, _) = await a.AddAsync(Image(99, data));
        var (fromB, _) = await b.AddAsync(Image(99, data));
        await a.CommitAsync();
        await b.CommitAsync();
        a.Refresh();
        Assert.Equal(61, a.Count);
        Assert.Equal(61, b.Count);
        Assert.Equal(fromA, (await b.FindByHashAsync($"{99:x64}"))!.Id);
        Assert.NotEqual(fromA, fromB);
        Assert.Null(await b.GetAsync(fromB));
        await using var reader = await Provider.OpenAsync(location, CollectionAccess.Read);
        Assert.Equal(await a.ListAsync().Select(i => i.Id).ToListAsync(), await reader.ListAsync().Select(i => i.Id).ToListAsync());
        Assert.Equal(await NearestAsync(a, data, 60), await NearestAsync(reader, data, 60));
    }

    [PostgresFact]
    public async Task A_commit_cut_off_in_the_middle_leaves_nothing_and_the_writer_goes_on()
    {
        string location = NewLocation();
        const int n = 3000, d = 512;
        var model = Model with { Dimension = d };
        float[] data = RandomVectors.Gaussian(n, d, seed: 5);
        await using var writer = await Provider.OpenAsync(location, CollectionAccess.WriteOrCreate, new NewCollection(model, DistanceMetric.L2, "Flat"));
        for (int i = 0; i < 10; i++) await writer.AddAsync(new NewImage($"/{i}", $"{i:x64}", null, 1, 1, 1, data.AsSpan(i * d, d).ToArray()));
        await writer.CommitAsync();
        for (int i = 10; i < n; i++) await writer.AddAsync(new NewImage($"/{i}", $"{i:x64}", null, 1, 1, 1, data.AsSpan(i * d, d).ToArray()));

        // Another session kills the writer's backend while its COPY runs (as a crash or a lost network would).
        string schema = PostgresLocation.Parse(location).Schema;
        using var stop = new CancellationTokenSource();
        var killer = Task.Run(async () =>
        {
            await using var admin = new NpgsqlConnection(TemporaryPostgres.Shared.ConnectionString);
            await admin.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                await using var kill = new NpgsqlCommand(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'COPY %' AND query LIKE '%' || @schema || '%' AND pid <> pg_backend_pid()", admin);
                kill.Parameters.AddWithValue("schema", schema);
                if ((long)(await kill.ExecuteScalarAsync())! > 0) return true;
            }
            return false;
        });
        var failure = await Assert.ThrowsAsync<StorageException>(() => writer.CommitAsync().AsTask());
        await stop.CancelAsync();
        Assert.True(await killer);
        Assert.Contains("not stored", failure.Message);
        Assert.Equal(10, writer.Count);

        await using (var reader = await Provider.OpenAsync(location, CollectionAccess.Read))
        {
            Assert.Equal(10, reader.Count);
            await using var check = new NpgsqlConnection(TemporaryPostgres.Shared.ConnectionString);
            await check.OpenAsync();
            await using var rows = new NpgsqlCommand($"SELECT (SELECT count(*) FROM \"{schema}\".images), (SELECT count(*) FROM \"{schema}\".vectors)", check);
            await using var result = await rows.ExecuteReaderAsync();
            Assert.True(await result.ReadAsync());
            Assert.Equal((10L, 10L), (result.GetInt64(0), result.GetInt64(1)));
        }
        // The same images can be added again and stored.
        for (int i = 10; i < 20; i++) await writer.AddAsync(new NewImage($"/{i}", $"{i:x64}", null, 1, 1, 1, data.AsSpan(i * d, d).ToArray()));
        await writer.CommitAsync();
        await using var after = await Provider.OpenAsync(location, CollectionAccess.Read);
        Assert.Equal(20, after.Count);
    }

    [PostgresFact]
    public async Task A_snapshot_is_loaded_by_another_server_and_brought_up_to_date()
    {
        string location = NewLocation();
        float[] data = RandomVectors.Gaussian(400, D, seed: 6);
        await using var writer = await CreateAsync(location, HnswOptions.DefaultSpec);
        for (int i = 0; i < 300; i++) await writer.AddAsync(Image(i, data));
        var saved = await writer.SaveIndexesAsync([HnswOptions.DefaultSpec, "Ivf(lists=8,nprobe=8)"]);
        Assert.Equal([300L, 300L], saved.Select(s => s.Rows));
        // After the snapshot: deletions (of rows it holds) and additions.
        var victims = await writer.ListAsync().Take(20).Select(i => i.Id).ToListAsync();
        await writer.DeleteAsync(victims);
        for (int i = 300; i < 400; i++) await writer.AddAsync(Image(i, data));
        await writer.CommitAsync();

        await using var reader = await Provider.OpenAsync(location, CollectionAccess.Read);
        Assert.Equal(2, reader.Info.Indexes.Count);
        Assert.True(reader.Info.SizeOnDisk > 400 * D * sizeof(float));
        foreach (int i in new List<int> { 25, 150, 350, 399 })
        {
            long exact = await NearestAsync(reader, data, i);
            Assert.Equal(exact, await NearestAsync(reader, data, i, "Ivf(lists=8,nprobe=8)"));
            Assert.Equal(exact, await NearestAsync(reader, data, i, HnswOptions.DefaultSpec));
        }
        var ivf = await reader.SearchAsync(data.AsSpan(0, D).ToArray(), new SearchOptions(400, IndexSpec: "Ivf(lists=8,nprobe=8)"));
        Assert.Equal(380, ivf.Hits.Count);
        Assert.DoesNotContain(ivf.Hits, h => victims.Contains(h.Image.Id));
    }

    [PostgresFact]
    public async Task Migrations_are_applied_once_and_recorded()
    {
        string location = NewLocation();
        await using (var created = await CreateAsync(location)) { }
        await using (var again = await CreateAsync(location)) { }
        await using var connection = new NpgsqlConnection(TemporaryPostgres.Shared.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT array_agg(version ORDER BY version) FROM \"{PostgresLocation.Parse(location).Schema}\".migrations", connection);
        var versions = (int[])(await command.ExecuteScalarAsync())!;
        Assert.Equal(new[] { 1 }, versions);
    }

    [PostgresFact]
    public async Task In_database_search_says_why_it_cannot_answer()
    {
        await using var collection = await CreateAsync(NewLocation());
        await collection.AddAsync(Image(0, RandomVectors.Gaussian(1, D, seed: 1)));
        await collection.CommitAsync();
        var error = await Assert.ThrowsAsync<LookalikeException>(() =>
            collection.SearchAsync(new float[D], new SearchOptions(1, IndexSpec: "PgVector(m=16)")).AsTask());
        Assert.Contains("pgvector", error.Message);
        Assert.Contains("Hnsw", error.Message);
    }

    [PostgresFact]
    public async Task A_server_that_does_not_answer_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<StorageException>(() =>
            Provider.OpenAsync("postgres://nobody@127.0.0.1:1/none?collection=x", CollectionAccess.Read).AsTask());
        Assert.Contains("Cannot reach PostgreSQL", error.Message);
        Assert.Contains("127.0.0.1:1", error.Message);
    }
}
