using Dapper;
using Microsoft.Data.Sqlite;

// Same query, same SQLite file, same model and JSON shape as the Greeter plugin's GET /greetings
// (timestamps read as DateTimeOffset, as any typed app would, with the obvious Dapper handler).
SqlMapper.AddTypeHandler(new TimestampHandler());
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
var connectionString = new SqliteConnectionStringBuilder { DataSource = args.SkipWhile(a => a != "--db").Skip(1).First(), Pooling = true }.ToString();

app.MapGet("/greetings", async (string team) =>
{
    await using var connection = new SqliteConnection(connectionString);
    await connection.OpenAsync();
    var items = (await connection.QueryAsync<Greeting>(
        "SELECT id AS Id, text AS Text, created_at AS CreatedAt FROM greeter_greetings WHERE team_id = @team ORDER BY id LIMIT @limit OFFSET @offset",
        new { team, limit = 50, offset = 0 })).ToList();
    var total = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM greeter_greetings WHERE team_id = @team", new { team });
    return Results.Ok(new { items, total, limit = 50, offset = 0 });
});
app.Run();

internal sealed class Greeting
{
    public string Id { get; set; } = "";
    public string Text { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class TimestampHandler : SqlMapper.TypeHandler<DateTimeOffset>
{
    public override void SetValue(System.Data.IDbDataParameter parameter, DateTimeOffset value) => parameter.Value = value;

    public override DateTimeOffset Parse(object value) =>
        DateTimeOffset.Parse((string)value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
}
