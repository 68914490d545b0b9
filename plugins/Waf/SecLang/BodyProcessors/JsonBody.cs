using System.Text;
using System.Text.Json;
using Edgeplane.Plugins.Waf.SecLang.Variables;

namespace Edgeplane.Plugins.Waf.SecLang.BodyProcessors;

/// <summary>JSON bodies: every scalar becomes an argument named by its path (<c>json.user.name</c>, array items by index).</summary>
public static class JsonBody
{
    public const int MaxDepth = 64;

    /// <summary>Null when the body parsed; otherwise why not.</summary>
    public static string? Parse(byte[] body, Collection into)
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowTrailingCommas = false });
            Walk(document.RootElement, "json", into);
            return null;
        }
        catch (JsonException e)
        {
            return "JSON parsing error: " + e.Message;
        }
    }

    private static void Walk(JsonElement element, string path, Collection into)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject()) Walk(property.Value, path + "." + Bytes(property.Name), into);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray()) Walk(item, path + "." + i++, into);
                break;
            case JsonValueKind.String:
                into.Add(path, Bytes(element.GetString()!));
                break;
            case JsonValueKind.Null:
                into.Add(path, "");
                break;
            default:
                into.Add(path, element.GetRawText());
                break;
        }
    }

    private static string Bytes(string s) => ByteText.Of(s);
}
