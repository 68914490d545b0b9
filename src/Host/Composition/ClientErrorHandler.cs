using System.Text.Json;
using System.Text.RegularExpressions;
using Edgeplane.Abstractions.Http;
using Microsoft.AspNetCore.Diagnostics;

namespace Edgeplane.Host.Composition;

/// <summary>
/// Answers a request the server could not read because of what the client sent (Kestrel's and the request
/// delegates' <see cref="BadHttpRequestException"/>: a body over the size limit, malformed JSON, a repeated key, a
/// null or a wrong type where the bound type says otherwise, a bad form; the SDK binders' <see cref="InvalidRequestException"/>)
/// with its 4xx status and an RFC 9457 problem naming the fields, where the exception handler would otherwise answer 500.
/// </summary>
public sealed partial class ClientErrorHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad || context.Response.HasStarted) return false;
        var errors = bad is InvalidRequestException invalid ? invalid.Errors.ToDictionary() : Describe(bad) switch
        {
            var (field, message) => new Dictionary<string, string[]> { [field] = [message] },
        };
        context.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new HttpValidationProblemDetails(errors)
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : $"Invalid {string.Join(", ", errors.Keys)}",
            },
        });
    }

    internal static (string Field, string Message) Describe(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json) return (RequestBody.FieldOf(json), RequestBody.Describe(json));
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge) return ("body", bad.Message);
        if (bad.InnerException is InvalidDataException form) return ("body", form.Message);
        // the request delegates name the parameter: 'Failed to bind parameter "int limit" from "x".'
        return ParameterName().Match(bad.Message) is { Success: true } m ? (m.Groups["name"].Value, bad.Message) : ("body", bad.Message);
    }

    [GeneratedRegex("""parameter "[^" ]+ (?<name>[^" ]+)" """, RegexOptions.None)]
    private static partial Regex ParameterName();
}
