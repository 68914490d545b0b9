using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;

namespace Edgeplane.Host.Composition;

/// <summary>
/// Answers a response that ends with a status and no body (<c>UseStatusCodePages</c>) as a problem, and an empty 400 from a
/// request delegate as one naming the route or query values that did not parse (<c>?limit=many</c>, <c>?from=yesterday</c>):
/// the generated delegates answer those with a bare 400 instead of throwing for <see cref="ClientErrorHandler"/>, whatever
/// <c>ThrowOnBadRequest</c> says. The values are read again against the endpoint's parameter binding metadata.
/// </summary>
public static class BindingFailures
{
    private static readonly Func<StatusCodeContext, Task> Default = new StatusCodePagesOptions().HandleAsync;

    public static Task HandleAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        if (http.Response.StatusCode != StatusCodes.Status400BadRequest || Find(http) is not { Count: > 0 } errors) return Default(context);
        return http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest, Title = $"Invalid {string.Join(", ", errors.Keys)}" },
        }).AsTask();
    }

    /// <summary>The route and query values of the request that do not parse into the type of the parameter they bind.</summary>
    public static Dictionary<string, string[]> Find(HttpContext http)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var parameter in http.GetEndpoint()?.Metadata.OfType<IParameterBindingMetadata>() ?? [])
        {
            if (!parameter.HasTryParse) continue;
            var type = parameter.ParameterInfo.ParameterType;
            type = type.IsArray ? type.GetElementType()! : type;
            type = Nullable.GetUnderlyingType(type) ?? type;
            IEnumerable<string?> values = http.Request.RouteValues.TryGetValue(parameter.Name, out var route)
                ? [route?.ToString()]
                : http.Request.Query[parameter.Name];
            if (values.FirstOrDefault(v => !string.IsNullOrEmpty(v) && !Parses(type, v)) is { } bad)
                errors[JsonNamingPolicy.CamelCase.ConvertName(parameter.Name)] = [$"'{Shorten(bad)}' is not {Describe(type)}"];
        }
        return errors;
    }

    private static bool Parses(Type type, string value)
    {
        if (type.IsEnum) return Enum.TryParse(type, value, ignoreCase: true, out _);
        var arguments = new object?[] { value, CultureInfo.InvariantCulture, null };
        if (type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(IFormatProvider), type.MakeByRefType()]) is { } withProvider)
            return (bool)withProvider.Invoke(null, arguments)!;
        if (type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), type.MakeByRefType()]) is { } plain)
            return (bool)plain.Invoke(null, [value, null])!;
        return true; // a type this cannot check: the general 400 stands
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number",
        _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => "a number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time (ISO 8601, such as 2026-12-07T10:00:00Z)",
        _ when type == typeof(Guid) => "a GUID",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(JsonNamingPolicy.CamelCase.ConvertName)),
        _ => $"a valid {type.Name}",
    };

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
