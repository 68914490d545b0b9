// A bare ASP.NET Core minimal API (as `dotnet new web` creates it) serving the same handler the
// bench plugin maps, so the benchmark compares the plugin machinery and nothing else.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

app.MapGet("/ping", () => TypedResults.Ok(new Pong("pong")));

app.Run();

public sealed record Pong(string Message);
