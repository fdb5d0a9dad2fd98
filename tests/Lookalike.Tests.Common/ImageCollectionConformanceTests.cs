using Lookalike.Collections;
using Lookalike.Errors;
using Lookalike.Indexes;

namespace Lookalike.Tests.Common;

/// <summary>
/// The contract every <see cref="ImageCollection"/> store honours (Microsoft.Extensions.VectorData's
/// conformance idea): a store's test class inherits this and says how to reach a fresh location.
/// </summary>
public abstract class ImageCollectionConformanceTests
{
    protected const int D = 12;

    protected static readonly ModelReference Model = new("conformance-model", new string('c', 64), "/models/conformance.onnx", D, "none");

    /// <summary>The provider of the store under test.</summary>
    protected abstract ICollectionProvider Provider { get; }

    /// <summary>A location no collection lives at yet.</summary>
    protected abstract string NewLocation();

    protected static NewImage Image(int i, float[] data, string? label = null) =>
        new($"/photos/{i}.jpg", $"{i:x64}", label, 100 + i, 8, 6, data.AsSpan(i * D, D).ToArray());

    private async Task<(string Location, ImageCollection Writer, float[] Data)> FilledAsync(int count, DistanceMetric metric = DistanceMetric.L2)
    {
        string location = NewLocation();
        var writer = await Provider.OpenAsync(location, CollectionAccess.WriteOrCreate, new NewCollection(Model, metric, "Flat"));
        float[] data = RandomVectors.Gaussian(count, D, seed: 21);
        for (int i = 0; i < count; i++) await writer.AddAsync(Image(i, data, i % 3 == 0 ? "three" : null));
        await writer.CommitAsync();
        return (location, writer, data);
    }

    private static async Task<List<long>> Nearest(ImageCollection collection, float[] query, int k, string spec = "Flat") =>
        [.. (await collection.SearchAsync(query, new SearchOptions(k, IndexSpec: spec))).Hits.Select(h => h.Image.Id)];

    [SkippableFact]
    public async Task Added_images_are_read_back_with_their_metadata_and_features()
    {
        var (_, writer, data) = await FilledAsync(10);
        await using var _ = writer;
        var ids = await writer.ListAsync().Select(i => i.Id).ToListAsync();
        Assert.Equal(10, ids.Distinct().Count());
        var third = await writer.ListAsync().FirstAsync(i => i.Path == "/photos/3.jpg");
        Assert.Equal(($"{3:x64}", "three", 103L, 8, 6), (third.Sha256, third.Label, third.Bytes, third.Width, third.Height));
        Assert.Equal(data.AsSpan(3 * D, D).ToArray(), await writer.GetFeaturesAsync(third.Id));
        Assert.Equal(third, await writer.GetAsync(third.Id));
        Assert.Equal(third, await writer.FindByHashAsync($"{3:x64}"));
        Assert.Equal(10, writer.Count);
        Assert.Equal(Model.Sha256, writer.Model.Sha256);
    }

    [SkippableFact]
    public async Task The_same_content_is_added_once()
    {
        var (_, writer, data) = await FilledAsync(4);
        await using var _ = writer;
        var again = await writer.AddAsync(Image(2, data) with { Path = "/elsewhere/2.jpg" });
        Assert.False(again.Added);
        Assert.Equal((await writer.FindByHashAsync($"{2:x64}"))!.Id, again.Id);
        Assert.Equal(4, writer.Count);
    }

    [SkippableFact]
    public async Task Deleted_images_are_gone_from_reads_lists_and_searches()
    {
        var (_, writer, data) = await FilledAsync(20);
        await using var _ = writer;
        var victim = (await writer.FindByHashAsync($"{5:x64}"))!.Id;
        Assert.Equal(1, await writer.DeleteAsync([victim, victim, 987_654]));
        Assert.Null(await writer.GetAsync(victim));
        Assert.Null(await writer.GetFeaturesAsync(victim));
        Assert.Null(await writer.FindByHashAsync($"{5:x64}"));
        Assert.DoesNotContain(victim, await writer.ListAsync().Select(i => i.Id).ToListAsync());
        Assert.DoesNotContain(victim, await Nearest(writer, data.AsSpan(5 * D, D).ToArray(), 19));
        Assert.Equal(19, writer.Count);
        // Its content may come back as a new image.
        var (id, added) = await writer.AddAsync(Image(5, data));
        Assert.True(added);
        Assert.NotEqual(victim, id);
    }

    [SkippableTheory]
    [InlineData(DistanceMetric.L2)]
    [InlineData(DistanceMetric.Cosine)]
    public async Task Searches_rank_like_an_exact_scan_and_report_similarity(DistanceMetric metric)
    {
        var (_, writer, data) = await FilledAsync(50, metric);
        await using var _ = writer;
        var query = data.AsSpan(7 * D, D).ToArray();
        var response = await writer.SearchAsync(query, new SearchOptions(5));
        Assert.Equal(metric, response.Metric);
        Assert.Equal(50, response.Stats.DistancesComputed);
        var ids = await writer.ListAsync().ToListAsync();
        var truth = NaiveSearch.Nearest(data, [.. ids.Select(i => i.Id)], D, query, 5, metric);
        Assert.Equal(truth.Select(t => t.Id), response.Hits.Select(h => h.Image.Id));
        Assert.Equal(1, response.Hits[0].Similarity, 1e-4);
        Assert.All(response.Hits.Zip(response.Hits.Skip(1)), p => Assert.True(p.First.Distance <= p.Second.Distance));
        Assert.Equal([1, 2, 3, 4, 5], response.Hits.Select(h => h.Rank));
    }

    [SkippableTheory]
    [InlineData("Flat")]
    [InlineData("Hnsw(m=8,efConstruction=40,efSearch=64,seed=1)")]
    [InlineData("Ivf(lists=4,nprobe=4,seed=1)")]
    public async Task Filters_keep_k_results_of_the_allowed_images_and_cut_offs_drop_the_far_ones(string spec)
    {
        var (_, writer, data) = await FilledAsync(60);
        await using var _ = writer;
        var images = await writer.ListAsync().ToListAsync();
        var query = data.AsSpan(4 * D, D).ToArray();
        // Labelled "three": images 0, 3, 6, … (20 of 60); the expectation is the exact scan of just those.
        var labelled = images.Where(i => i.Label == "three").ToList();
        var truth = NaiveSearch.Nearest([.. labelled.SelectMany(i => data.AsSpan(int.Parse(Path.GetFileNameWithoutExtension(i.Path)) * D, D).ToArray())],
            [.. labelled.Select(i => i.Id)], D, query, 5, DistanceMetric.L2);
        var filtered = await writer.SearchAsync(query, new SearchOptions(5, IndexSpec: spec) { Filter = new ImageFilter { Labels = ["three"] } });
        Assert.Equal(truth.Select(t => t.Id), filtered.Hits.Select(h => h.Image.Id));
        Assert.True(filtered.FilteredOut > 0, "the filter kept nothing out");
        Assert.Null(filtered.FilterLimit);

        var prefixed = await writer.SearchAsync(query, new SearchOptions(60, IndexSpec: spec) { Filter = new ImageFilter { PathPrefix = "/photos/1" } });
        Assert.Equal(["/photos/1.jpg", .. Enumerable.Range(10, 10).Select(i => $"/photos/{i}.jpg")],
            prefixed.Hits.Select(h => h.Image.Path).Order(StringComparer.Ordinal));

        var added = images[0].AddedAt;
        var none = await writer.SearchAsync(query, new SearchOptions(5, IndexSpec: spec) { Filter = new ImageFilter { AddedBefore = added.AddMinutes(-1) } });
        Assert.Empty(none.Hits);

        var all = await writer.SearchAsync(query, new SearchOptions(10, IndexSpec: "Flat"));
        float cut = all.Hits[4].Distance;
        var near = await writer.SearchAsync(query, new SearchOptions(10, IndexSpec: "Flat") { MaxDistance = cut });
        Assert.Equal(all.Hits.Take(5).Select(h => h.Image.Id), near.Hits.Select(h => h.Image.Id));
        Assert.Equal(5, near.BelowCutOff);
        var similar = await writer.SearchAsync(query, new SearchOptions(10, IndexSpec: "Flat") { MinSimilarity = 0.999f });
        Assert.Equal([all.Hits[0].Image.Id], similar.Hits.Select(h => h.Image.Id));

        await Assert.ThrowsAsync<LookalikeException>(async () => await writer.SearchAsync(query,
            new SearchOptions(5) { Filter = new ImageFilter { AddedAfter = added, AddedBefore = added } }));
        await Assert.ThrowsAsync<LookalikeException>(async () => await writer.SearchAsync(query, new SearchOptions(5) { MinSimilarity = 2 }));
    }

    [SkippableFact]
    public async Task Committed_state_survives_reopening_and_uncommitted_changes_do_not()
    {
        var (location, writer, data) = await FilledAsync(6);
        await writer.RecordFileStateAsync("/photos/1.jpg", new FileState(101, 77, $"{1:x64}"));
        await writer.DeleteAsync([(await writer.FindByHashAsync($"{0:x64}"))!.Id]);
        await writer.CommitAsync();
        await writer.AddAsync(new NewImage("/late.jpg", new string('f', 64), null, 1, 1, 1, new float[D]));
        await writer.DisposeAsync();

        await using var reader = await Provider.OpenAsync(location, CollectionAccess.Read);
        Assert.Equal(5, reader.Count);
        Assert.Null(await reader.FindByHashAsync(new string('f', 64)));
        Assert.Null(await reader.FindByHashAsync($"{0:x64}"));
        Assert.Equal(new FileState(101, 77, $"{1:x64}"), await reader.GetFileStateAsync("/photos/1.jpg"));
        Assert.Null(await reader.GetFileStateAsync("/photos/never.jpg"));
        var fourth = (await reader.FindByHashAsync($"{4:x64}"))!;
        Assert.Equal(fourth.Id, (await Nearest(reader, data.AsSpan(4 * D, D).ToArray(), 1))[0]);
    }

    [SkippableFact]
    public async Task A_reader_keeps_searching_while_a_writer_commits_and_then_sees_the_new_rows()
    {
        var (location, writer, data) = await FilledAsync(200);
        await using var _ = writer;
        await using var reader = await Provider.OpenAsync(location, CollectionAccess.Read);
        float[] more = RandomVectors.Gaussian(400, D, seed: 21);
        using var stop = new CancellationTokenSource();
        int done = 0;
        var searches = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var hits = await Nearest(reader, data.AsSpan((done % 200) * D, D).ToArray(), 3);
                Assert.Equal(3, hits.Count);
                Interlocked.Increment(ref done);
                // A store whose search completes synchronously would otherwise hold this pool thread for good,
                // and on two cores the writer's and the follower's continuations could wait behind it.
                await Task.Yield();
            }
        });
        // As a server does: another thread takes in the writer's commits while searches run.
        var follower = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                reader.Refresh();
                await Task.Delay(2);
            }
        });
        for (int i = 200; i < 400; i++)
        {
            await writer.AddAsync(Image(i, more));
            if (i % 20 != 0) continue;
            await writer.CommitAsync();
            // Interleaved: at least one search finishes after each commit.
            int seen = Volatile.Read(ref done);
            while (Volatile.Read(ref done) == seen && !searches.IsCompleted) await Task.Delay(1);
        }
        await writer.CommitAsync();
        await stop.CancelAsync();
        await searches;
        await follower;
        Assert.True(done >= 10, $"only {done} searches ran while the writer committed");
        reader.Refresh();
        Assert.Equal(400, reader.Count);
        var newest = (await reader.FindByHashAsync($"{399:x64}"))!;
        Assert.Equal(newest.Id, (await Nearest(reader, more.AsSpan(399 * D, D).ToArray(), 1))[0]);
    }

    [SkippableFact]
    public async Task Bad_input_is_a_clear_error()
    {
        var (location, writer, _) = await FilledAsync(3);
        await using var _ = writer;
        var add = await Assert.ThrowsAnyAsync<LookalikeException>(() => writer.AddAsync(new NewImage("/x.jpg", new string('e', 64), null, 1, 1, 1, new float[D + 1])).AsTask());
        Assert.Contains($"{D}", add.Message);
        await Assert.ThrowsAnyAsync<LookalikeException>(() => writer.SearchAsync(new float[D - 1], new SearchOptions(3)).AsTask());
        await Assert.ThrowsAnyAsync<LookalikeException>(() => writer.SearchAsync(new float[D], new SearchOptions(0)).AsTask());
        await Assert.ThrowsAnyAsync<LookalikeException>(() => writer.SearchAsync(new float[D], new SearchOptions(3, IndexSpec: "Nope")).AsTask());
        Assert.Throws<CollectionMismatchException>(() => writer.EnsureModel(Model with { Sha256 = new string('d', 64) }));
        await Assert.ThrowsAnyAsync<LookalikeException>(() => Provider.OpenAsync(NewLocation(), CollectionAccess.Read).AsTask());
        await Assert.ThrowsAnyAsync<LookalikeException>(() => Provider.OpenAsync(location, CollectionAccess.WriteOrCreate,
            new NewCollection(Model with { Sha256 = new string('d', 64) }, DistanceMetric.L2, "Flat")).AsTask());
    }

    [SkippableFact]
    public async Task Saved_indexes_are_listed_and_answer_like_the_scan_when_they_probe_everything()
    {
        var (location, writer, data) = await FilledAsync(120);
        var saved = await writer.SaveIndexesAsync(["Ivf(lists=4,nprobe=4)"]);
        Assert.Equal(120, Assert.Single(saved).Rows);
        await writer.DisposeAsync();
        await using var reader = await Provider.OpenAsync(location, CollectionAccess.Read);
        Assert.Equal("Ivf(lists=4,nprobe=4,seed=42)", Assert.Single(reader.Info.Indexes).Spec);
        var query = data.AsSpan(11 * D, D).ToArray();
        Assert.Equal(await Nearest(reader, query, 5), await Nearest(reader, query, 5, "Ivf(lists=4,nprobe=4)"));
    }
}
