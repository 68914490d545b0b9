using System.Reflection;
using Edgeplane.Abstractions.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>A bound request body the binder may have refused (<see cref="Refusal"/>: the field errors).</summary>
public interface IRefusableBody
{
    FieldErrors? Refusal { get; }
}

/// <summary>
/// A DNS route's body: the SDK's <see cref="Body{T}"/> (a form or a JSON object, numbers as strings, a value of the wrong
/// type a 400 naming the field, <typeparamref name="T"/> in the OpenAPI document), except that a refusal is answered by
/// <see cref="DnsBody.Refusals"/> among the route's filters, so that a seed mount wraps it in PacketFrame's envelope as it
/// wraps every other refusal. The handler never runs for a refused body.
/// </summary>
public sealed class DnsBody<T> : IBindableFromHttpContext<DnsBody<T>>, IEndpointParameterMetadataProvider, IRefusableBody where T : class
{
    private readonly T? _value;

    private DnsBody(T? value, FieldErrors? refusal) => (_value, Refusal) = (value, refusal);

    public T Value => _value ?? throw new InvalidOperationException("the body was refused; DnsBody.Refusals answers it before the handler");

    public FieldErrors? Refusal { get; }

    public static async ValueTask<DnsBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        try
        {
            return new DnsBody<T>((await Body<T>.BindAsync(context, parameter))!.Value, null);
        }
        catch (InvalidRequestException e)
        {
            return new DnsBody<T>(null, e.Errors);
        }
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) => Body<T>.PopulateMetadata(parameter, builder);
}

public static class DnsBody
{
    /// <summary>The innermost filter of every DNS route with a body: a refused body is a 400 naming the fields.</summary>
    public static async ValueTask<object?> Refusals(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.Arguments.OfType<IRefusableBody>().FirstOrDefault(b => b.Refusal is not null) is { Refusal: { } errors }
            ? (object?)errors.ToProblem()
            : await next(context);
}
