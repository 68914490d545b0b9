using System.Globalization;
using System.Text.Json;
using Edgeplane.Abstractions.Http;
using Microsoft.AspNetCore.Http;

namespace Edgeplane.Plugins.Compute.Http;

/// <summary>
/// A request body read leniently: the seed types every field as a string, and clients send numbers
/// and booleans too, so fields are read as text whatever their JSON type.
/// </summary>
public sealed class JsonBody
{
    private readonly Dictionary<string, JsonElement> _fields;

    private JsonBody(Dictionary<string, JsonElement> fields) => _fields = fields;

    /// <summary>The body (read by the SDK's one reader), or null when it is not one valid JSON object or form (the caller answers 400).</summary>
    public static async Task<JsonBody?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var (fields, _) = await RequestBody.ReadFieldsAsync(request);
        return fields is null ? null : new JsonBody(new Dictionary<string, JsonElement>(fields, StringComparer.OrdinalIgnoreCase));
    }

    public bool Has(string name) => _fields.TryGetValue(name, out var v) && v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);

    /// <summary>The field as text (numbers and booleans as written), or null when absent or null or blank.</summary>
    public string? String(string name)
    {
        if (!_fields.TryGetValue(name, out var value)) return null;
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    /// <summary>A boolean field (<c>true</c>, <c>"true"</c>, <c>1</c>); null when absent, false on anything else.</summary>
    public bool? Bool(string name) => String(name) is { } text
        ? text.Equals("true", StringComparison.OrdinalIgnoreCase) || text == "1" || text.Equals("yes", StringComparison.OrdinalIgnoreCase)
        : null;

    public IReadOnlyList<string>? StringArray(string name)
    {
        if (!_fields.TryGetValue(name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.Array => value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList(),
            JsonValueKind.String when !string.IsNullOrWhiteSpace(value.GetString()) => [value.GetString()!],
            _ => null,
        };
    }

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
