using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Rollouts.Tuf;

/// <summary>
/// The OLPC canonical JSON that TUF signs (what securesystemslib and tuf-js produce): object keys sorted by
/// UTF-16 code unit, no whitespace, integers only, and in strings only '\' and '"' escaped (everything else,
/// including control characters and non-ASCII, is written as raw UTF-8).
/// </summary>
public static class CanonicalJson
{
    public static byte[] Encode(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(builder, node);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static void Write(StringBuilder builder, JsonNode? node)
    {
        switch (node)
        {
            case null:
                builder.Append("null");
                break;
            case JsonObject obj:
                builder.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first) builder.Append(',');
                    first = false;
                    WriteString(builder, key);
                    builder.Append(':');
                    Write(builder, value);
                }
                builder.Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) builder.Append(',');
                    Write(builder, array[i]);
                }
                builder.Append(']');
                break;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        WriteString(builder, value.GetValue<string>());
                        break;
                    case JsonValueKind.True:
                        builder.Append("true");
                        break;
                    case JsonValueKind.False:
                        builder.Append("false");
                        break;
                    case JsonValueKind.Null:
                        builder.Append("null");
                        break;
                    case JsonValueKind.Number:
                        var raw = value.ToJsonString();
                        if (!long.TryParse(raw, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var integer))
                            throw new FormatException("canonical JSON has only integers: " + raw);
                        builder.Append(integer.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        break;
                    default:
                        throw new FormatException("unsupported JSON value");
                }
                break;
        }
    }

    private static void WriteString(StringBuilder builder, string s)
    {
        builder.Append('"');
        foreach (var c in s)
        {
            if (c is '\\' or '"') builder.Append('\\');
            builder.Append(c);
        }
        builder.Append('"');
    }
}
