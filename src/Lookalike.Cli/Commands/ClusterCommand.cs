using System.CommandLine;
using System.Globalization;
using Lookalike.Cli.Output;
using Lookalike.Cluster;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike cluster status</c>: the silos of a collection's cluster and its shards.</summary>
internal static class ClusterCommand
{
    public static Command Create(CliContext context)
    {
        var location = new Option<string>("--cluster") { Description = "The cluster's PostgreSQL collection.", Required = true };
        var status = new Command("status", "List the cluster's silos and its shards (rows, indexes, memory, silo).") { location };
        status.SetAction(async (parse, cancellationToken) =>
        {
            var report = await ClusterStatus.ReadAsync(parse.GetValue(location)!, cancellationToken);
            var silos = new CliTable("silo", "name", "status");
            foreach (var silo in report.Silos) silos.AddRow(silo.Address, silo.Name, silo.Status);
            silos.WriteTo(context.Console);
            var table = new CliTable("shard", "rows", "indexes", "vectors in memory", "generation", "silo");
            foreach (var shard in report.Shards)
            {
                table.AddRow(shard.Shard.ToString(CultureInfo.InvariantCulture), shard.Rows.ToString("N0", CultureInfo.InvariantCulture),
                    string.Join(", ", shard.Indexes), $"{shard.VectorBytes / 1048576.0:F1} MiB",
                    shard.Generation.ToString(CultureInfo.InvariantCulture), shard.Silo);
            }
            table.WriteTo(context.Console);
            context.Console.MarkupLine($"{report.Silos.Count} silo(s), {report.Shards.Count} shard(s), {report.Shards.Sum(s => s.Rows):N0} image(s).");
            return 0;
        });
        return new Command("cluster", "Look at a sharded cluster.") { status };
    }
}
