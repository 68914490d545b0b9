using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Edgeplane.Testing.Conformance;

/// <summary>
/// Hostile input on every operation of a host's OpenAPI document, with and without a credential: malformed JSON,
/// repeated keys, wrong types, nulls (nested too), an 11 MiB body, oversize forms, odd path and query values. Never a
/// 5xx, never a stack trace, and a refused request stores nothing.
/// </summary>
public static partial class HostileInput
{
    // Rows that change without the request: the audit trail records refusals too, background jobs take leases.
    private static readonly HashSet<string> Journals = ["host_audit", "host_leases"];

    private static readonly string[] OddPathValues =
        [new string('x', 4000), "%00%ff%c3%28%2e%2e%2f%25", "%C3%BCn%C3%AF%C2%A9%C3%B8d%C3%A9-%F0%9F%99%82-%E5%90%8D", "..%2F..%2Fetc%2Fpasswd", "-1", "0x7f.0.0.1"];

    private static readonly string[] OddQueryValues = ["not-a-number", "-1", "99999999999999999999", new string('q', 4000), "%ff%fe", "%F0%9F%99%82"];

    // Names: a field a 400 must name (a query value that cannot be of its parameter's type).
    private sealed record Probe(string Method, string Path, string What, HttpContent? Content, string? Names = null);

    /// <summary>
    /// Sends every operation of the host's OpenAPI document whose path <paramref name="includes"/> accepts hostile input, without and
    /// with the host admin's key; returns what went wrong: a 5xx, a stack trace, or a refused request that changed a table.
    /// </summary>
    public static async Task<IReadOnlyList<string>> FailuresAsync(HostProcess host, Func<string, bool> includes, CancellationToken cancellationToken = default)
    {
        var document = JsonNode.Parse(await host.Client.GetStringAsync("/openapi/v1.json", cancellationToken))!.AsObject();
        var schemas = document["components"]?["schemas"]?.AsObject();
        var operations = document["paths"]!.AsObject()
            .Where(p => includes(p.Key))
            .SelectMany(p => p.Value!.AsObject().Where(o => o.Key != "parameters").Select(o => (Path: p.Key, Method: o.Key.ToUpperInvariant(), Operation: o.Value!.AsObject())))
            .ToList();
        if (operations.Count == 0) return ["no operation of the document is included"];

        var failures = new List<string>();
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var admin = host.AdminClient();
        admin.Timeout = TimeSpan.FromSeconds(60);
        var database = DatabaseScan.Of(host);
        var counts = await database.RowCountsAsync(cancellationToken);
        var sent = 0;
        foreach (var (path, method, operation) in operations)
        {
            foreach (var probe in Probes(path, method, operation, schemas))
            {
                foreach (var (client, who) in new[] { (anonymous, "anonymous"), (admin, "admin") })
                {
                    var (status, body) = await SendAsync(client, probe, cancellationToken);
                    sent++;
                    var label = $"{probe.Method} {Shorten(probe.Path)} [{probe.What}, {who}]";
                    if (status >= 500) failures.Add($"{label}: {status} {Shorten(body)}");
                    if (StackTrace().IsMatch(body)) failures.Add($"{label}: stack trace in the body: {Shorten(body)}");
                    if (status == 400 && who == "admin" && probe.Names is { } field && !NamesField(body, field))
                        failures.Add($"{label}: 400 whose errors do not name '{field}': {Shorten(body)}");
                    if (who == "anonymous") continue;
                    var after = await database.RowCountsAsync(cancellationToken);
                    if (status is >= 400 and < 500)
                        foreach (var (table, rows) in after)
                            if (!Journals.Contains(table) && rows != counts.GetValueOrDefault(table))
                                failures.Add($"{label}: {status}, yet {table} went from {counts.GetValueOrDefault(table)} to {rows} rows");
                    counts = after;
                }
            }
        }
        // whatever was accepted, every list still reads
        foreach (var (path, _, _) in operations.Where(o => o.Method == "GET" && !o.Path.Contains('{')))
        {
            var (status, body) = await SendAsync(admin, new Probe("GET", path, "after", null), cancellationToken);
            if (status >= 500) failures.Add($"GET {path} after the run: {status} {Shorten(body)}");
        }
        return failures.Count == 0 ? [] : [$"{failures.Distinct().Count()} failures in {sent} requests to {operations.Count} operations:", .. failures.Distinct().Take(60)];
    }

    private static IEnumerable<Probe> Probes(string path, string method, JsonObject operation, JsonObject? schemas)
    {
        var parameters = operation["parameters"]?.AsArray().Select(p => p!.AsObject()).ToList() ?? [];
        var pathNames = parameters.Where(p => (string?)p["in"] == "path").Select(p => (string)p["name"]!).ToList();
        pathNames.AddRange(PathParameter().Matches(path).Select(m => m.Groups[1].Value).Except(pathNames));
        string Fill(string odd, string? only = null) =>
            PathParameter().Replace(path, m => only is null || m.Groups[1].Value == only ? odd : "x");

        var plain = Fill("x");
        foreach (var name in pathNames)
            foreach (var odd in OddPathValues)
                yield return new Probe(method, Fill(odd, name), $"path {name}", method is "GET" or "DELETE" ? null : Json("{}"));
        foreach (var parameter in parameters.Where(p => (string?)p["in"] == "query"))
        {
            var query = (string)parameter["name"]!;
            var typed = Resolve(parameter["schema"], schemas) is { } s && ((string?)s["type"] is "integer" or "number" or "boolean" || (string?)s["format"] is "date-time" or "uuid");
            foreach (var odd in OddQueryValues)
                yield return new Probe(method, $"{plain}?{Uri.EscapeDataString(query)}={odd}", $"query {query}", null, typed && odd == "not-a-number" ? query : null);
        }
        if (method is "GET" or "HEAD") yield break;

        var schema = Resolve(operation["requestBody"]?["content"]?["application/json"]?["schema"], schemas);
        var properties = Resolve(schema, schemas)?["properties"]?.AsObject()
            .Select(p => (Name: p.Key, Schema: Resolve(p.Value, schemas))).ToList() ?? [];
        if (properties.Count == 0) properties = [("name", null), ("id", null), ("value", null), ("selector", null)];

        yield return new Probe(method, plain, "malformed JSON", Json("{\"name\": \"unterminated"));
        yield return new Probe(method, plain, "repeated key", Json($"{{\"{properties[0].Name}\": \"a\", \"{properties[0].Name}\": \"b\"}}"));
        foreach (var top in new[] { "[]", "\"text\"", "42", "null", "[{\"a\":null}]" })
            yield return new Probe(method, plain, $"top-level {top}", Json(top));
        yield return new Probe(method, plain, "wrong types", Json(new JsonObject(properties.Select(p => KeyValuePair.Create(p.Name, WrongValue(p.Schema)))).ToJsonString()));
        yield return new Probe(method, plain, "nulls", Json(new JsonObject(properties.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)null))).ToJsonString()));
        foreach (var (name, property) in properties)
        {
            var nested = NestedNulls(property, schemas);
            yield return new Probe(method, plain, $"nulls in {name}", Json(new JsonObject { [name] = nested }.ToJsonString()));
            yield return new Probe(method, plain, $"array of nulls in {name}", Json(new JsonObject { [name] = new JsonArray(null, nested?.DeepClone()) }.ToJsonString()));
        }
        yield return new Probe(method, plain, "11 MiB", Big());
        yield return new Probe(method, plain, "form key over 2,048", Form($"{new string('k', 3000)}=1"));
        yield return new Probe(method, plain, "form over 1,024 fields", Form(string.Join('&', Enumerable.Range(0, 1100).Select(i => $"f{i}={i}"))));
        yield return new Probe(method, plain, "form value over 4 MiB", Form("name=" + new string('v', 4 * 1024 * 1024 + 10)));
        yield return new Probe(method, plain, "wrong content type", new StringContent("{}", Encoding.UTF8, "text/plain"));
    }

    /// <summary>Whether a problem's <c>errors</c> name <paramref name="field"/> (whatever its case).</summary>
    private static bool NamesField(string body, string field)
    {
        try
        {
            return JsonNode.Parse(body)?["errors"] is JsonObject errors && errors.Any(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase));
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static JsonNode? WrongValue(JsonNode? schema) => (string?)schema?["type"] switch
    {
        "string" => JsonValue.Create(12345),
        "integer" or "number" => JsonValue.Create("not-a-number"),
        "boolean" => JsonValue.Create("maybe"),
        "array" => new JsonObject { ["a"] = 1 },
        "object" => JsonValue.Create("text"),
        _ => new JsonArray(new JsonObject { ["deep"] = new JsonArray(1, "2", null) }),
    };

    /// <summary>An object whose every property (and every property of the properties' objects) is null.</summary>
    private static JsonNode? NestedNulls(JsonNode? schema, JsonObject? schemas, int depth = 0)
    {
        if (Resolve(schema, schemas) is not { } resolved || depth > 3) return new JsonObject { ["matchLabels"] = null, ["name"] = null };
        if ((string?)resolved["type"] == "array") return new JsonArray(NestedNulls(resolved["items"], schemas, depth + 1));
        if (resolved["properties"] is JsonObject properties)
            return new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key,
                Resolve(p.Value, schemas)?["properties"] is not null ? NestedNulls(p.Value, schemas, depth + 1) : null)));
        return resolved["additionalProperties"] is not null ? new JsonObject { ["key"] = null } : null;
    }

    private static JsonObject? Resolve(JsonNode? schema, JsonObject? schemas)
    {
        for (var i = 0; i < 8 && schema is JsonObject o; i++)
        {
            if ((string?)o["$ref"] is { } reference) schema = schemas?[reference.Split('/')[^1]];
            else if (o["allOf"] is JsonArray { Count: > 0 } all) schema = all[0];
            else if ((o["oneOf"] ?? o["anyOf"]) is JsonArray { Count: > 0 } any) schema = any.FirstOrDefault(s => (string?)s?["type"] != "null");
            else return o;
        }
        return null;
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static StringContent Form(string text) => new(text, Encoding.UTF8, "application/x-www-form-urlencoded");

    private static ByteArrayContent Big()
    {
        var bytes = new byte[11 * 1024 * 1024];
        Array.Fill(bytes, (byte)'a');
        "{\"name\":\""u8.CopyTo(bytes);
        "\"}"u8.CopyTo(bytes.AsSpan(bytes.Length - 2));
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static async Task<(int Status, string Body)> SendAsync(HttpClient client, Probe probe, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(probe.Method), probe.Path) { Content = await CopyAsync(probe.Content) };
        request.Headers.ExpectContinue = request.Content?.Headers.ContentLength > 1024 * 1024;
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (HttpRequestException e) when (request.Content?.Headers.ContentLength > 1024 * 1024)
        {
            return (0, $"connection closed while sending a large body: {e.Message}"); // the server refused to read it
        }
    }

    // a probe's content is sent once per credential
    private static async Task<HttpContent?> CopyAsync(HttpContent? content)
    {
        if (content is null) return null;
        var copy = new ByteArrayContent(await content.ReadAsByteArrayAsync());
        foreach (var header in content.Headers) copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        return copy;
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    [GeneratedRegex(@"\{([^}/]+)\}")]
    private static partial Regex PathParameter();

    [GeneratedRegex(@"(\s+at [\w.`<>]+\(|\.cs:line \d+|Exception:|System\.[\w.]+Exception)")]
    private static partial Regex StackTrace();
}
