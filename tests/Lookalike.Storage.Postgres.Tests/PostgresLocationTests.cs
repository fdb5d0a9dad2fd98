using Lookalike.Errors;

namespace Lookalike.Storage.Postgres.Tests;

public sealed class PostgresLocationTests
{
    [Fact]
    public void A_url_gives_server_database_user_and_collection_and_hides_the_password()
    {
        var location = PostgresLocation.Parse("postgres://me:s%40cret@db.example:6543/images?collection=holidays&sslmode=disable");
        Assert.Equal("holidays", location.Collection);
        Assert.Equal("lookalike_holidays", location.Schema);
        Assert.Equal("postgres://me@db.example:6543/images?collection=holidays", location.Display);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(location.ConnectionString);
        Assert.Equal(("db.example", 6543, "images", "me", "s@cret"), (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password));
        Assert.Equal(Npgsql.SslMode.Disable, builder.SslMode);
    }

    [Fact]
    public void A_connection_string_may_name_the_collection_and_defaults_to_default()
    {
        Assert.Equal("cats", PostgresLocation.Parse("Host=localhost;Username=me;Database=db;Collection=cats").Collection);
        Assert.Equal("default", PostgresLocation.Parse("Host=localhost;Username=me;Database=db").Collection);
        Assert.Equal(5432, new Npgsql.NpgsqlConnectionStringBuilder(PostgresLocation.Parse("postgresql://me@localhost/db").ConnectionString).Port);
    }

    [Theory]
    [InlineData("postgres://me:pw@localhost/db?collection=Bad-Name")]
    [InlineData("postgres://me:pw@localhost/db?collection=")]
    [InlineData("Host=localhost;Password=pw;Nonsense=1")]
    public void A_bad_location_is_a_clear_error_without_the_password(string location)
    {
        var error = Assert.Throws<LookalikeException>(() => PostgresLocation.Parse(location));
        Assert.Contains("PostgreSQL location", error.Message);
        Assert.DoesNotContain("pw", error.Message);
    }

    [Theory]
    [InlineData("postgres://me@localhost/db", true)]
    [InlineData("Host=localhost;Database=db", true)]
    [InlineData("/home/me/pictures.lookalike", false)]
    [InlineData("relative/folder", false)]
    public void Folders_are_not_database_locations(string location, bool database) =>
        Assert.Equal(database, PostgresLocation.IsPostgres(location));
}
