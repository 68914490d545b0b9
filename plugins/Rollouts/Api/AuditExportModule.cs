using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// Audit-trail export: <c>GET /audit-trail?format=jsonl|csv&amp;from=&amp;to=&amp;action=</c>, the host's audit log filtered to this
/// plugin (its routes' requests and the events it records) and to the caller's team, streamed oldest first.
/// </summary>
public sealed class AuditExportModule : ICarterModule
{
    public const string PluginId = "rollouts";

    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/audit-trail", ExportAsync).WithSummary("Export the team's audit trail (JSON lines or CSV)").RequirePermission("rollouts.audit.read")
            .Produces<AuditEntry>(StatusCodes.Status200OK, "application/x-ndjson").Produces<string>(StatusCodes.Status200OK, "text/csv");

    private static async Task<IResult> ExportAsync(HttpContext context, string? format, DateTimeOffset? from, DateTimeOffset? to, string? action, string? teamId,
        ICaller caller, IAuditTrail trail, ITeamService teams)
    {
        var errors = new FieldErrors()
            .Check(format is null or "jsonl" or "csv", "format", "must be jsonl or csv")
            .Check(from is null || to is null || from <= to, "from", "must not be after 'to'")
            .Check(action is null || action.Length <= 200, "action", "must be at most 200 characters")
            .Check(teamId is null || caller.IsHostAdmin, "teamId", "only a host administrator chooses another team");
        if (errors.Any) return errors.ToProblem();
        if (teamId is not null && teamId != caller.TeamId && await teams.FindAsync(teamId, context.RequestAborted) is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Team not found", detail: $"the host has no team '{teamId}'");
        var csv = format == "csv";
        context.Response.ContentType = csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=rollouts-audit.{(csv ? "csv" : "jsonl")}";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 16 * 1024);
        if (csv) await writer.WriteLineAsync("id,at,user_id,api_key_id,actor,team_id,plugin,action,target,status,source_address,details");
        var query = new AuditQuery(TeamId: teamId ?? caller.TeamId, Plugin: PluginId, ActionPrefix: action, From: from, To: to);
        await foreach (var e in trail.ReadAsync(query, context.RequestAborted))
            await writer.WriteLineAsync(csv ? Csv(e) : JsonSerializer.Serialize(e, JsonSerializerOptions.Web));
        await writer.FlushAsync(context.RequestAborted);
        return Results.Empty;
    }

    private static string Csv(AuditEntry e) => string.Join(',',
        new[] { e.Id, e.At.ToString("O", CultureInfo.InvariantCulture), e.UserId, e.ApiKeyId, e.Actor, e.TeamId, e.Plugin, e.Action, e.Target,
                e.Status?.ToString(CultureInfo.InvariantCulture), e.SourceAddress, e.Details }.Select(Quote));

    /// <summary>RFC 4180 quoting; a cell starting with = + - @ is prefixed with ' so a spreadsheet does not run it as a formula.</summary>
    internal static string Quote(string? value)
    {
        if (value is null) return "";
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@') value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
