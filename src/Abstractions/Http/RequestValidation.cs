using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Edgeplane.Abstractions.Http;

/// <summary>
/// The one validator of request input. The data annotations (<c>[Required]</c>, <c>[Range]</c>, <c>[StringLength]</c>, …)
/// on the properties of a type a route binds — an <c>[AsParameters]</c> type such as <see cref="Data.PageRequest"/>, a
/// JSON body — are checked before the handler runs: a failure answers 400 with RFC 9457 <c>errors</c> naming each field
/// by its JSON name, and the handler never sees the value. The same filter answers the refusals of the SDK's body binders
/// (<see cref="IRefusableBody"/>). The host applies <see cref="ValidateRequests{TBuilder}"/> to every plugin's routes; the
/// OpenAPI document shows the same attributes as the schema's limits.
/// </summary>
public static class RequestValidation
{
    private static readonly ConcurrentDictionary<Type, bool> Validatable = new();

    /// <summary>
    /// Adds the validation filter to each route of <paramref name="builder"/> whose handler binds a type that declares
    /// validation or a refusable body; other routes get no filter and pay nothing. It runs before the route's own
    /// filters, unless the route placed it among them with <see cref="ValidateRequestsHere{TBuilder}"/>.
    /// </summary>
    public static TBuilder ValidateRequests<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<MethodInfo>().FirstOrDefault() is { } handler && Applies(handler))
                // read when the request delegate is built, after the route's own conventions
                endpoint.FilterFactories.Add((context, next) => endpoint.Metadata.Contains(ValidatedHere.Instance) ? next : Filter(context, next));
        });
        return builder;
    }

    /// <summary>
    /// Answers refused bodies and invalid input at this point of the route's filters — inside the filters added before
    /// this call — instead of before all of them: a group whose filters shape every answer (a seed profile's envelope)
    /// calls it after them, so that they wrap the 400s as they wrap the handler's answers.
    /// </summary>
    public static TBuilder ValidateRequestsHere<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            endpoint.Metadata.Add(ValidatedHere.Instance);
            endpoint.FilterFactories.Add(Filter);
        });
        return builder;
    }

    private sealed class ValidatedHere
    {
        public static readonly ValidatedHere Instance = new();
    }

    /// <summary>Whether <paramref name="handler"/> binds a parameter whose type declares validation, or a refusable body.</summary>
    public static bool Applies(MethodInfo handler) => handler.GetParameters().Any(p => IsChecked(p.ParameterType));

    /// <summary>An endpoint filter factory that answers refused bodies and validates the handler's validatable arguments.</summary>
    public static EndpointFilterDelegate Filter(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var checkedArguments = context.MethodInfo.GetParameters()
            .Select((parameter, index) => (parameter, index)).Where(p => IsChecked(p.parameter.ParameterType)).Select(p => p.index).ToArray();
        if (checkedArguments.Length == 0) return next;
        return invocation =>
        {
            var errors = new FieldErrors();
            foreach (var index in checkedArguments)
            {
                if (invocation.Arguments[index] is IRefusableBody { Refusal: { } refusal }) errors.AddRange(refusal.ToDictionary());
                else if (invocation.Arguments[index] is { } value) Validate(value, errors);
            }
            return errors.Any ? ValueTask.FromResult<object?>(errors.ToProblem()) : next(invocation);
        };
    }

    private static bool IsChecked(Type type) => typeof(IRefusableBody).IsAssignableFrom(type) || IsValidatable(type);

    /// <summary>Adds the field errors of <paramref name="value"/>'s data annotations to <paramref name="errors"/>.</summary>
    public static FieldErrors Validate(object value, FieldErrors errors)
    {
        if (!IsValidatable(value.GetType())) return errors;
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
        foreach (var result in results)
            foreach (var member in result.MemberNames.DefaultIfEmpty("body"))
                errors.Add(JsonName(value.GetType(), member), result.ErrorMessage ?? "is not valid");
        return errors;
    }

    private static bool IsValidatable(Type type) => Validatable.GetOrAdd(type, static t =>
        t is { IsClass: true, Namespace: { } ns } && !ns.StartsWith("System", StringComparison.Ordinal) && !ns.StartsWith("Microsoft", StringComparison.Ordinal)
        && (typeof(IValidatableObject).IsAssignableFrom(t)
            || t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p => p.IsDefined(typeof(ValidationAttribute), inherit: true))));

    private static string JsonName(Type type, string member) =>
        type.GetProperty(member)?.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
        ?? (member == "body" ? member : JsonNamingPolicy.CamelCase.ConvertName(member));
}
