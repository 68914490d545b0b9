using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static Dictionary<string, string> Map(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(json, Options) ?? [];

    public static T Read<T>(string? json) where T : new() =>
        string.IsNullOrEmpty(json) ? new T() : JsonSerializer.Deserialize<T>(json, Options) ?? new T();

    public static JsonNode? Node(string? json) => string.IsNullOrEmpty(json) ? null : JsonNode.Parse(json);
}

/// <summary>Names of devices and groups, and label keys and values: what the API accepts.</summary>
internal static class Names
{
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= 63 } && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    public static string? CheckLabels(IDictionary<string, string>? labels)
    {
        if (labels is null) return null;
        if (labels.Count > 64) return "at most 64 labels";
        foreach (var (key, value) in labels)
        {
            if (!(key is { Length: > 0 and <= 63 } && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/')))
                return $"label key '{key}' must be 1-63 letters, digits, '.', '-', '_' or '/'";
            if (value is null || value.Length > 255) return $"label '{key}' must have a value of at most 255 characters";
        }
        return null;
    }
}
