using System.Text.Json.Nodes;

namespace Edgeplane.Testing.Permissions;

/// <summary>
/// One operation of the host's OpenAPI document and what it declares about its caller: anonymous (no
/// <c>security</c>), session only (the session scheme alone), the permissions it requires
/// (<c>x-edgeplane-permissions</c>), host administrators only (<c>x-edgeplane-host-admin</c>), or none of these
/// (any credential; the handler may check more).
/// </summary>
public sealed record ApiOperation(string Method, string Path, string? Plugin, bool Anonymous, bool SessionOnly, IReadOnlyList<string> Permissions, bool HostAdmin = false)
{
    public string Key => $"{Method} {Path}";

    public IReadOnlyList<string> PathParameters { get; } =
        [.. Path.Split('/').Where(s => s.StartsWith('{') && s.EndsWith('}')).Select(s => s[1..^1].TrimEnd('?').Split(':')[0])];

    public static IReadOnlyList<ApiOperation> Read(JsonObject document)
    {
        var operations = new List<ApiOperation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
            foreach (var (method, node) in item!.AsObject())
            {
                if (method is "parameters" or "summary" or "description" or "servers") continue;
                var operation = node!.AsObject();
                var security = operation["security"]?.AsArray() ?? [];
                var schemes = security.SelectMany(r => r!.AsObject().Select(s => s.Key)).ToList();
                operations.Add(new ApiOperation(method.ToUpperInvariant(), path, (string?)operation["tags"]?[0],
                    Anonymous: security.Count == 0,
                    SessionOnly: schemes.Count > 0 && schemes.All(s => s == "session"),
                    Permissions: operation["x-edgeplane-permissions"]?.AsArray().Select(p => (string)p!).ToList() ?? [],
                    HostAdmin: (bool?)operation["x-edgeplane-host-admin"] == true));
            }
        return operations;
    }

    /// <summary>Reads first, then changes, then deletions, and the deletion of a team itself last of all (so that a matrix tries every route on live objects).</summary>
    public static int Destructiveness(ApiOperation o) =>
        o.Method == "DELETE" && o.Path.EndsWith("/teams/{teamId}", StringComparison.Ordinal) ? 3
        : o.Method == "DELETE" || o.Path.Contains("delete", StringComparison.OrdinalIgnoreCase) ? 2
        : o.Method is "GET" or "HEAD" ? 0 : 1;
}
