using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edgeplane.Abstractions.Http;

/// <summary>
/// JSON options that read what forms and loosely typed clients send: a number or a boolean written as a string
/// (<c>"300"</c>, <c>"true"</c>, <c>"on"</c>, <c>"1"</c>), a number or boolean where a string is expected (kept as
/// written), a single string where a list of strings is expected. Everything else is as strict as the options it copies.
/// </summary>
public static class LenientJson
{
    private static readonly ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> Copies = new();

    /// <summary>The lenient copy of <paramref name="options"/> (made once per options instance).</summary>
    public static JsonSerializerOptions Of(JsonSerializerOptions options) => Copies.GetValue(options, static o =>
    {
        var lenient = new JsonSerializerOptions(o) { NumberHandling = JsonNumberHandling.AllowReadingFromString };
        lenient.Converters.Insert(0, new LenientString());
        lenient.Converters.Insert(0, new LenientBoolean());
        lenient.Converters.Insert(0, new LenientStringArray());
        lenient.Converters.Insert(0, new LenientStringList());
        lenient.MakeReadOnly();
        return lenient;
    });

    private sealed class LenientString : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => RawText(ref reader),
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            _ => throw new JsonException("could not be converted to a string"),
        };

        private static string RawText(ref Utf8JsonReader reader) =>
            System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    private sealed class LenientBoolean : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.True: return true;
                case JsonTokenType.False: return false;
                case JsonTokenType.Number when reader.TryGetInt32(out var n) && n is 0 or 1: return n == 1;
                case JsonTokenType.String:
                    switch (reader.GetString()!.Trim().ToLowerInvariant())
                    {
                        case "true" or "1" or "on" or "yes": return true;
                        case "false" or "0" or "off" or "no": return false;
                    }
                    break;
            }
            throw new JsonException("could not be converted to true or false");
        }

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
    }

    private sealed class LenientStringArray : JsonConverter<string[]>
    {
        public override string[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            LenientStringList.ReadList(ref reader, options)?.ToArray();

        public override void Write(Utf8JsonWriter writer, string[] value, JsonSerializerOptions options) => LenientStringList.WriteList(writer, value);
    }

    private sealed class LenientStringList : JsonConverter<List<string>>
    {
        public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadList(ref reader, options);

        public override void Write(Utf8JsonWriter writer, List<string> value, JsonSerializerOptions options) => WriteList(writer, value);

        internal static List<string>? ReadList(ref Utf8JsonReader reader, JsonSerializerOptions options)
        {
            var item = (JsonConverter<string>)options.GetConverter(typeof(string));
            if (reader.TokenType != JsonTokenType.StartArray) return [item.Read(ref reader, typeof(string), options)!];
            var list = new List<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.Null) throw new JsonException("must not hold null");
                list.Add(item.Read(ref reader, typeof(string), options)!);
            }
            return list;
        }

        internal static void WriteList(Utf8JsonWriter writer, IEnumerable<string> values)
        {
            writer.WriteStartArray();
            foreach (var value in values) writer.WriteStringValue(value);
            writer.WriteEndArray();
        }
    }
}
