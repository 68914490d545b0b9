using System.Text.Json.Nodes;

namespace Edgeplane.Testing.Conformance;

/// <summary>
/// What the OpenAPI document leaves out about a plugin's operations, one line per gap (<c>kind METHOD path</c>): a
/// <c>summary</c>; a <c>permission</c> (neither <c>x-edgeplane-permissions</c>, nor session only, nor anonymous and
/// listed with its reason); a <c>request</c> schema for a POST, PUT or PATCH, unless it is declared to take no body
/// (<c>TakesNoBody()</c>: <c>x-edgeplane-no-body</c>); a <c>response</c> schema for a 2xx other than 204.
/// </summary>
public static class OpenApiCoverage
{
    public static IReadOnlyList<string> Gaps(JsonObject document, string plugin, IReadOnlyCollection<string> listedRoutes)
    {
        var gaps = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
            foreach (var (method, node) in item!.AsObject())
            {
                if (node is not JsonObject operation || (string?)operation["tags"]?[0] != plugin) continue;
                var key = $"{method.ToUpperInvariant()} {path}";
                if (string.IsNullOrWhiteSpace((string?)operation["summary"])) gaps.Add("summary " + key);
                var schemes = operation["security"]?.AsArray().SelectMany(r => r!.AsObject().Select(s => s.Key)).ToList() ?? [];
                var declared = operation["x-edgeplane-permissions"] is JsonArray { Count: > 0 } || schemes.Count > 0 && schemes.All(s => s == "session");
                if (!declared && !listedRoutes.Contains(key)) gaps.Add("permission " + key);
                var noBody = operation["x-edgeplane-no-body"] is JsonValue marker && marker.GetValue<bool>();
                if (method is "post" or "put" or "patch" && !noBody && !HasSchema(operation["requestBody"]?["content"])) gaps.Add("request " + key);
                var success = operation["responses"]?.AsObject().Where(r => r.Key.StartsWith('2')).ToList() ?? [];
                if (success.Count == 0 || success.Any(r => r.Key != "204" && !HasSchema(r.Value?["content"]))) gaps.Add("response " + key);
            }
        return gaps;
    }

    private static bool HasSchema(JsonNode? content) =>
        content is JsonObject media && media.Any(m => m.Value?["schema"] is JsonObject schema && schema.Count > 0);
}
