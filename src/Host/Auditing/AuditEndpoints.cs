using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Security;
using Edgeplane.Host.Data;

namespace Edgeplane.Host.Auditing;

/// <summary><c>GET /api/v1/audit</c>: the trail as JSON lines or CSV, streamed row by row.</summary>
public static class AuditEndpoints
{
    public static void MapAudit(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/audit", ExportAsync).WithTags("host").RequirePermission("host.audit.read")
            .Produces(200, contentType: "application/x-ndjson").Produces(200, contentType: "text/csv");

    private static async Task<IResult> ExportAsync(HttpContext context, DbConnectionFactory connections, ICaller caller,
        string? format, DateTimeOffset? from, DateTimeOffset? to, string? teamId, string? action)
    {
        var errors = new FieldErrors()
            .Check(format is null or "jsonl" or "csv", "format", "must be jsonl or csv")
            .Check(from is null || to is null || from <= to, "from", "must not be after 'to'");
        if (errors.Any) return errors.ToProblem();
        // A team admin sees the own team's trail; only a host admin chooses another team or all.
        if (!caller.IsHostAdmin) teamId = caller.TeamId;

        var sql = new StringBuilder("SELECT id AS Id, at AS At, user_id AS UserId, api_key_id AS ApiKeyId, actor AS Actor, team_id AS TeamId, plugin AS Plugin, " +
                                    "action AS Action, target AS Target, status AS Status, source_address AS SourceAddress, details AS Details FROM host_audit WHERE 1 = 1");
        if (from is not null) sql.Append(" AND at >= @from");
        if (to is not null) sql.Append(" AND at <= @to");
        if (teamId is not null) sql.Append(" AND team_id = @teamId");
        if (action is not null) sql.Append(" AND action LIKE @action");
        sql.Append(" ORDER BY at, id");

        var csv = format == "csv";
        context.Response.ContentType = csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=audit.{(csv ? "csv" : "jsonl")}";
        await using var connection = await connections.OpenAsync(context.RequestAborted);
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 16 * 1024);
        if (csv) await writer.WriteLineAsync("id,at,user_id,api_key_id,actor,team_id,plugin,action,target,status,source_address,details");
        var rows = connection.QueryUnbufferedAsync<AuditRecord>(sql.ToString(), new { from, to, teamId, action = action + "%" });
        await foreach (var row in rows.WithCancellation(context.RequestAborted))
            await writer.WriteLineAsync(csv ? Csv(row) : JsonSerializer.Serialize(row, JsonSerializerOptions.Web));
        await writer.FlushAsync(context.RequestAborted);
        return Results.Empty;
    }

    private static string Csv(AuditRecord r) => string.Join(',',
        new[] { r.Id, r.At.ToString("O", CultureInfo.InvariantCulture), r.UserId, r.ApiKeyId, r.Actor, r.TeamId, r.Plugin, r.Action, r.Target,
                r.Status?.ToString(CultureInfo.InvariantCulture), r.SourceAddress, r.Details }.Select(Quote));

    private static string Quote(string? value) =>
        value is null ? "" : value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
