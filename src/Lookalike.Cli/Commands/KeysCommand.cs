using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Lookalike.Access;
using Lookalike.Cli.Output;
using Lookalike.Collections;
using Lookalike.Errors;
using Spectre.Console;

namespace Lookalike.Cli.Commands;

/// <summary><c>lookalike keys create|list|revoke</c>: the API keys a server over the collection accepts.</summary>
internal static class KeysCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create(CliContext context) => new("keys", "Make, list and revoke the API keys 'lookalike serve' accepts for a collection (only their hashes are stored).")
    {
        CreateKey(context), ListKeys(context), RevokeKey(context),
    };

    private static Command CreateKey(CliContext context)
    {
        var collection = CommonOptions.Collection();
        var scope = new Option<string>("--scope")
        {
            Description = "read: search and fetch images; write: also add and remove images.",
            DefaultValueFactory = _ => "read",
        };
        scope.AcceptOnlyFromAmong("read", "write");
        var name = new Option<string?>("--name") { Description = "What the key is for (default: scope and date)." };
        var command = new Command("create", "Make a key and print it once; keep it, it cannot be shown again.") { collection, scope, name };
        command.SetAction(parse =>
        {
            var store = StoreOf(context, parse.GetValue(collection)!);
            var keyScope = ApiKeyScopes.Parse(parse.GetValue(scope)!);
            string keyName = parse.GetValue(name) ?? $"{keyScope.Name()}-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}";
            var (key, token) = store.Create(keyName, keyScope);
            context.Console.Profile.Out.Writer.WriteLine(token.ToString());
            context.Error.WriteLine($"Key {key.Id} ('{key.Name}', {key.Scope.Name()}) stored as a hash in {store.Path}. " +
                "Send it as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'.");
            return 0;
        });
        return command;
    }

    private static Command ListKeys(CliContext context)
    {
        var collection = CommonOptions.Collection();
        var json = CommonOptions.Json();
        var command = new Command("list", "The keys of a collection (ids, names, scopes, dates; never the keys).") { collection, json };
        command.SetAction(parse =>
        {
            var keys = StoreOf(context, parse.GetValue(collection)!).List();
            if (parse.GetValue(json))
            {
                context.Console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(keys.Select(k => new
                {
                    k.Id,
                    k.Name,
                    scope = k.Scope.Name(),
                    k.CreatedAt,
                    k.RevokedAt,
                    k.Valid,
                }), Json));
                return 0;
            }
            var table = new CliTable("id", "name", "scope", "created", "revoked");
            foreach (var k in keys)
            {
                table.AddRow(k.Id, k.Name, k.Scope.Name(), k.CreatedAt.ToString("u", CultureInfo.InvariantCulture),
                    k.RevokedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "");
            }
            table.WriteTo(context.Console);
            return 0;
        });
        return command;
    }

    private static Command RevokeKey(CliContext context)
    {
        var collection = CommonOptions.Collection();
        var key = new Argument<string>("key") { Description = "The id or name of the key." };
        var command = new Command("revoke", "Stop accepting a key (a running server notices at once).") { collection, key };
        command.SetAction(parse =>
        {
            var revoked = StoreOf(context, parse.GetValue(collection)!).Revoke(parse.GetValue(key)!);
            context.Console.MarkupLine($"Revoked key {Markup.Escape(revoked.Id)} ('{Markup.Escape(revoked.Name)}').");
            return 0;
        });
        return command;
    }

    private static ApiKeyStore StoreOf(CliContext context, string location)
    {
        if (CollectionLocations.IsFolder(location) && context.Collections.ReadModel(Path.GetFullPath(location)) is null)
        {
            throw new LookalikeException($"'{Path.GetFullPath(location)}' holds no collection. Index a folder into it first: lookalike index FOLDER --collection {location}");
        }
        return ApiKeyStore.ForCollection(location, Onnx.Models.ModelLocator.DataDirectory);
    }
}
