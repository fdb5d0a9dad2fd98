using System.CommandLine;
using System.Globalization;
using Lookalike.Cluster;
using Lookalike.Collections;
using Lookalike.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike serve</c>: the search page and JSON API over a collection.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var collection = CommonOptions.Collection();
        var model = CommonOptions.Model();
        var device = CommonOptions.Device();
        var urls = new Option<string>("--urls")
        {
            Description = "Addresses to listen on, separated by ';'.",
            DefaultValueFactory = _ => "http://127.0.0.1:5000",
        };
        var approximate = new Option<string?>("--approximate-index")
        {
            Description = "Index spec behind the page's \"approximate\" choice (default: the collection's index, else its first saved approximate index, else Hnsw).",
        };
        var uploads = new Option<bool>("--allow-uploads-to-collection")
        {
            Description = "Let POST /api/images add uploaded images to the collection (stored in its uploads/ folder).",
        };
        var maxUpload = new Option<int>("--max-upload-mb") { Description = "Largest accepted upload.", DefaultValueFactory = _ => 20 };
        var maxPixels = CommonOptions.MaxPixels();
        var network = ServeNetworkOptions.Create();
        var cluster = ClusterOptions.Create();
        var command = new Command("serve", "Serve the search page and the JSON API for a collection; with --cluster, also be a silo holding some of its shards.")
        {
            collection, model, device, urls, approximate, uploads, maxUpload, maxPixels,
            network.PublicRead, network.RateLimitBurst, network.RateLimitPerSecond, network.CorsOrigins, network.HttpsCertificate, network.HttpsKey,
            network.TrustedProxies, cluster.Location, cluster.Shards, cluster.Address, cluster.SiloPort, cluster.GatewayPort,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string? clusterLocation = parse.GetValue(cluster.Location);
            var settings = new Dictionary<string, string?>
            {
                ["urls"] = parse.GetValue(urls),
                ["Lookalike:Collection"] = clusterLocation ?? CollectionLocations.Normalize(parse.GetValue(collection)!),
                ["Lookalike:Model"] = parse.GetValue(model),
                ["Lookalike:Device"] = parse.GetValue(device),
                ["Lookalike:ApproximateIndex"] = parse.GetValue(approximate),
                ["Lookalike:AllowUploadsToCollection"] = parse.GetValue(uploads) ? "true" : null,
                ["Lookalike:MaxUploadBytes"] = (parse.GetValue(maxUpload) * 1024L * 1024).ToString(CultureInfo.InvariantCulture),
                ["Lookalike:MaxPixels"] = parse.GetValue(maxPixels).ToString(CultureInfo.InvariantCulture),
            };
            network.AddSettings(parse, settings);
            // Uploads are decoded by this program started as a worker ('lookalike decode-worker').
            var worker = DecodeWorkerCommand.CommandLine();
            for (int i = 0; i < worker.Count; i++) settings[$"Lookalike:DecoderWorkerCommand:{i}"] = worker[i];
            string[] args = [.. settings.Where(s => s.Value is not null).Select(s => $"--{s.Key}={s.Value}")];
            var silo = clusterLocation is null ? null : await cluster.ReadAsync(parse);
            await using var app = await SearchServer.BuildAsync(args,
                silo is null ? null : builder => builder.AddLookalikeCluster(silo.Value.Options, silo.Value.Endpoints),
                warmUp: silo is null, cancellationToken);
            await app.StartAsync(cancellationToken);
            if (silo is not null)
            {
                // The shards answer once this silo (and the cluster) runs.
                await app.WarmUpAsync(cancellationToken);
                context.Console.MarkupLine($"Silo {Markup.Escape(silo.Value.Endpoints.Address.ToString())}:{silo.Value.Endpoints.SiloPort} of a cluster of {silo.Value.Options.Shards} shards.");
            }
            foreach (string url in app.Urls) context.Console.MarkupLine($"Search page: [link]{Markup.Escape(url)}/[/]   (Ctrl+C stops the server)");
            foreach (string line in app.AccessSummary()) context.Console.MarkupLine(Markup.Escape(line));
            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
