using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Edgeplane.Abstractions.Http;

/// <summary>
/// Collects field-level validation errors and turns them into an RFC 9457 400 response:
/// <c>var errors = new FieldErrors(); errors.Check(name.Length &gt; 0, "name", "is required"); if (errors.Any) return errors.ToProblem();</c>
/// </summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    /// <summary>Adds <paramref name="message"/> for <paramref name="field"/> when <paramref name="valid"/> is false.</summary>
    public FieldErrors Check(bool valid, string field, string message) => valid ? this : Add(field, message);

    public FieldErrors AddRange(IDictionary<string, string[]> errors)
    {
        foreach (var (field, messages) in errors)
            foreach (var message in messages) Add(field, message);
        return this;
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public ValidationProblem ToProblem(string? title = null) =>
        TypedResults.ValidationProblem(ToDictionary(), title: title ?? $"Invalid {string.Join(", ", _errors.Keys)}");
}
