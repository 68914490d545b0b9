using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Edgeplane.Abstractions.Http;

/// <summary>
/// The one reader of request bodies for handlers that read the body themselves instead of binding a typed
/// parameter (the host's typed binding follows the same rules). Whatever a client sends, the answer is a value or
/// field errors, never an exception: malformed JSON, a repeated key, a value of the wrong type, a null where a value
/// is required, too deep a document and a form over the limits are errors naming the field (or <c>body</c>). A body
/// over the host's size limit surfaces as Kestrel's <see cref="BadHttpRequestException"/>, which the host answers 413.
/// </summary>
public static class RequestBody
{
    /// <summary>How request JSON is parsed: a repeated key is an error (parsers that keep the first and the last disagree).</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>
    /// The body's fields: a JSON object's properties, or a form's fields as strings (a repeated form field joined
    /// with commas; a field left empty is absent). A form Content-Type whose body is a JSON object is read as JSON
    /// (<c>curl -d '{…}'</c> sends that).
    /// No body is no fields. Null with errors when the body is not one JSON object or not a valid form.
    /// </summary>
    public static async Task<(IReadOnlyDictionary<string, JsonElement>? Fields, FieldErrors Errors)> ReadFieldsAsync(HttpRequest request)
    {
        var errors = new FieldErrors();
        var fields = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        try
        {
            if (request.HasFormContentType && !await IsJsonObjectAsync(request))
            {
                var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
                foreach (var (key, value) in form)
                    if (value.ToString() is { Length: > 0 } text) fields[key] = JsonSerializer.SerializeToElement(text);
                return (fields, errors);
            }
            if (!HasBody(request)) return (fields, errors);
            using var document = await JsonDocument.ParseAsync(request.Body, DocumentOptions with { AllowDuplicateProperties = true }, request.HttpContext.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return (null, errors.Add("body", "must be a JSON object"));
            if (Repeated(document.RootElement, "") is { } repeated)
                return (null, errors.Add(repeated, "repeats a property (parsers that keep the first and the last disagree)"));
            foreach (var property in document.RootElement.EnumerateObject()) fields[property.Name] = property.Value.Clone();
            return (fields, errors);
        }
        catch (JsonException e)
        {
            return (null, errors.Add(FieldOf(e), Describe(e)));
        }
        catch (InvalidDataException e) // the form reader's limits: key and value lengths, field count
        {
            return (null, errors.Add("body", e.Message));
        }
    }

    /// <summary>The field a JSON error is about: its path without the root (<c>$.selector.matchLabels</c> → <c>selector.matchLabels</c>), or <c>body</c>.</summary>
    public static string FieldOf(JsonException e) =>
        e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..]
        : e.Path is { Length: > 1 } indexed && indexed.StartsWith('$') ? "body" + indexed[1..]
        : "body";

    /// <summary>The error without the parser's position suffix; type names of the reader are left out.</summary>
    public static string Describe(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0) message = message[..cut];
        if (message.Contains("duplicate", StringComparison.OrdinalIgnoreCase)) return "repeats a property: " + message;
        if (message.Contains("doesn't allow setting null", StringComparison.Ordinal)) return "must not be null";
        if (message.Contains("could not be converted", StringComparison.Ordinal)) return "has the wrong type";
        return "is not valid JSON: " + message;
    }

    /// <summary>The path of the first property an object repeats (<c>selector.matchLabels</c>, <c>rules[0].pattern</c>), or null.</summary>
    private static string? Repeated(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
                if (Repeated(item, $"{(path.Length == 0 ? "body" : path)}[{index++}]") is { } inner) return inner;
            return null;
        }
        if (element.ValueKind != JsonValueKind.Object) return null;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            if (!names.Add(property.Name)) return at;
            if (Repeated(property.Value, at) is { } inner) return inner;
        }
        return null;
    }

    private static async Task<bool> IsJsonObjectAsync(HttpRequest request)
    {
        request.EnableBuffering();
        var buffer = new byte[256];
        int read;
        var first = -1;
        while (first < 0 && (read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
            first = Array.FindIndex(buffer, 0, read, b => b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'));
        first = first < 0 ? -1 : buffer[first];
        request.Body.Position = 0;
        return first == '{';
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength != 0 && request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false;
}
