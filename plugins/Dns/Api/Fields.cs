using System.Globalization;
using System.Net;
using System.Text.Json;
using Edgeplane.Abstractions.Network;
using Edgeplane.Plugins.Dns.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>
/// The fields of one JSON object inside a request body (a change of a bulk request), read one by one so that every
/// bad value of every item is reported at once: strings and integers are read leniently ("300" and 300 both work), as
/// <see cref="Body{T}"/> reads whole bodies, and bad values become field errors.
/// </summary>
public sealed class Fields
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, JsonElement> _elements = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _prefix;

    private Fields(string prefix) => _prefix = prefix;

    public FieldErrors Errors { get; } = new();

    /// <summary>The fields of one JSON object inside a body (an item of a list); errors are named <paramref name="prefix"/> + field.</summary>
    public static Fields Of(JsonElement item, string prefix)
    {
        var fields = new Fields(prefix);
        if (item.ValueKind != JsonValueKind.Object) fields.Errors.Add(prefix.TrimEnd('.'), "must be a JSON object");
        else foreach (var property in item.EnumerateObject()) fields.Set(property.Name, property.Value);
        return fields;
    }

    private void Set(string key, JsonElement value)
    {
        _elements[key] = value;
        _values[key] = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => value.GetRawText(),
        };
    }

    /// <summary>The field's JSON value as sent (a list, an object), or null when absent.</summary>
    public JsonElement? Element(string name) => _elements.TryGetValue(name, out var e) ? e : null;

    public bool Has(string name) => _values.ContainsKey(name);

    public string? String(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public string Required(string name)
    {
        var value = String(name);
        if (string.IsNullOrWhiteSpace(value)) Errors.Add(_prefix + name, "is required");
        return value ?? "";
    }

    public int? Int(string name)
    {
        if (!_values.TryGetValue(name, out var raw) || raw is null || raw.Length == 0) return null;
        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
        Errors.Add(_prefix + name, "must be an integer");
        return null;
    }

    public double? Double(string name)
    {
        if (!_values.TryGetValue(name, out var raw) || raw is null || raw.Length == 0) return null;
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n)) return n;
        Errors.Add(_prefix + name, "must be a number");
        return null;
    }

    public bool? Bool(string name)
    {
        if (!_values.TryGetValue(name, out var raw) || raw is null || raw.Length == 0) return null;
        switch (raw.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "on" or "yes": return true;
            case "false" or "0" or "off" or "no": return false;
            default:
                Errors.Add(_prefix + name, "must be true or false");
                return null;
        }
    }
}

public static class Problems
{
    public static IResult NotFound(string what) => TypedResults.Problem(statusCode: 404, title: $"{what} not found");
    public static IResult Conflict(string detail) => TypedResults.Problem(statusCode: 409, title: "Conflict", detail: detail);

    /// <summary>A 409 whose <c>errors</c> name the fields that conflict with stored data (as a 400's do).</summary>
    public static IResult Conflict(IDictionary<string, List<string>> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()))
        {
            Status = 409,
            Title = "Conflict",
            Detail = string.Join(" ", errors.Values.SelectMany(m => m)),
        });

    /// <summary>A problem with <paramref name="status"/> whose <c>errors</c> name the fields, plus extension members (such as a per-line report).</summary>
    public static IResult Errors(int status, string title, IDictionary<string, List<string>> errors, IDictionary<string, object?>? extensions = null)
    {
        var problem = new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value.ToArray()))
        {
            Status = status,
            Title = title,
            Detail = string.Join(" ", errors.Take(3).Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")) + (errors.Count > 3 ? $" (and {errors.Count - 3} more)" : ""),
        };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>()) problem.Extensions[key] = value;
        return TypedResults.Problem(problem);
    }

    public static IResult Conflict(string field, string message) => Conflict(new Dictionary<string, List<string>> { [field] = [message] });
    public static IResult Forbidden(string detail) => TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: detail);
    public static IResult Field(string field, string message) => new FieldErrors().Add(field, message).ToProblem();

    public static IResult Errors(IDictionary<string, List<string>> errors)
    {
        var fe = new FieldErrors();
        foreach (var (k, list) in errors) foreach (var m in list) fe.Add(k, m);
        return fe.ToProblem();
    }
}

/// <summary>
/// The user IP ACL: when a user has entries, that user's API keys work only from matching source
/// addresses (an endpoint filter on every authenticated DNS route).
/// </summary>
public static class UserAcl
{
    public static bool IsValidEntry(string entry) => IpText.TryParseNetwork(entry, out IPNetwork _) || IpText.TryParseAddress(entry, out _);

    public static string Canonical(string entry) =>
        IpText.TryParseAddress(entry, out var a) ? a.ToString() : IPNetwork.Parse(entry).ToString();

    public static bool Allows(IReadOnlyList<string> entries, string? source)
    {
        if (entries.Count == 0) return true;
        if (source is null || !IPAddress.TryParse(source, out var address)) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var entry in entries)
        {
            if (IpText.TryParseAddress(entry, out var single) && single.Equals(address)) return true;
            if (IpText.TryParseNetwork(entry, out IPNetwork network) && network.Contains(address)) return true;
        }
        return false;
    }

    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var services = context.HttpContext.RequestServices;
        var caller = services.GetRequiredService<ICaller>();
        if (caller.Credential == CredentialKind.ApiKey && caller.UserId is { } userId)
        {
            var entries = await services.GetRequiredService<AclStore>().ListAclAsync(userId, context.HttpContext.RequestAborted);
            if (!Allows(entries, caller.SourceAddress))
                return Problems.Forbidden($"the user's IP ACL does not allow {caller.SourceAddress}");
        }
        return await next(context);
    }
}
