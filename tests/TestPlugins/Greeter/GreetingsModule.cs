using Dapper;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.TestPlugins.Greeter;

/// <summary>A team's saved greetings: a table of the plugin's own, team-scoped, behind permissions.</summary>
public sealed class GreetingsModule : ICarterModule
{
    public sealed record NewGreeting(string? Text);

    public sealed class Greeting
    {
        public string Id { get; set; } = "";
        public string Text { get; set; } = "";
        public DateTimeOffset CreatedAt { get; set; }
    }

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapPost("/greetings", async (NewGreeting body, ICaller caller, IDbConnectionFactory db, TimeProvider clock) =>
        {
            var errors = new FieldErrors().Check(body.Text is { Length: > 0 and <= 200 }, "text", "must be 1-200 characters");
            if (errors.Any) return (IResult)errors.ToProblem();
            var greeting = new Greeting { Id = Ids.New(), Text = body.Text!, CreatedAt = clock.GetUtcNow() };
            await using var connection = await db.OpenAsync();
            await connection.ExecuteAsync("INSERT INTO greeter_greetings (id, team_id, text, created_at) VALUES (@Id, @team, @Text, @CreatedAt)",
                new { greeting.Id, team = caller.TeamId, greeting.Text, greeting.CreatedAt });
            return TypedResults.Created($"/greetings/{greeting.Id}", greeting);
        }).RequirePermission("greeter.write");

        app.MapGet("/greetings", async ([AsParameters] PageRequest page, ICaller caller, IDbConnectionFactory db) =>
        {
            await using var connection = await db.OpenAsync();
            var items = (await connection.QueryAsync<Greeting>(
                $"SELECT id AS Id, text AS Text, created_at AS CreatedAt FROM greeter_greetings WHERE team_id = @team ORDER BY id {db.Dialect.Paging()}",
                new { team = caller.TeamId, limit = page.Take, offset = page.Skip })).ToList();
            var total = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM greeter_greetings WHERE team_id = @team", new { team = caller.TeamId });
            return TypedResults.Ok(new Page<Greeting>(items, total, page.Take, page.Skip));
        }).RequirePermission("greeter.read");
    }
}
