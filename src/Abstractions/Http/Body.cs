using System.Buffers;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Edgeplane.Abstractions.Http;

/// <summary>
/// A request body the framework binds for routes whose API document posts forms or writes numbers as strings: take a
/// <c>Body&lt;T&gt;</c> parameter and read <see cref="Value"/>. The body is a form, or a JSON object whatever the
/// Content-Type says (<c>curl -d '{…}'</c> sends a form's), read by <see cref="RequestBody"/> and bound to
/// <typeparamref name="T"/> with the host's JSON options (the plugin's generated metadata included) made lenient by
/// <see cref="LenientJson"/>. What cannot be bound — malformed JSON, a repeated key, a value of the wrong type, a form
/// over its limits — and what breaks <typeparamref name="T"/>'s data annotations answers 400 with RFC 9457
/// <c>errors</c> naming the fields; the handler never runs. The refusal is answered by the host's validation filter
/// (<see cref="RequestValidation"/>), which a route may place inside its own filters. The OpenAPI document describes the body as
/// <typeparamref name="T"/>, in JSON, in form encoding and as any other type (read as JSON). Routes that take strict JSON bind <typeparamref name="T"/>
/// itself instead.
/// </summary>
public sealed class Body<T> : IBindableFromHttpContext<Body<T>>, IEndpointParameterMetadataProvider, IRefusableBody where T : class
{
    private readonly T? _value;

    private Body(T? value, FieldErrors? refusal) => (_value, Refusal) = (value, refusal);

    /// <summary>The bound body; reading a refused one throws the refusal (the host answers it 400).</summary>
    public T Value => _value ?? throw new InvalidRequestException(Refusal!);

    public FieldErrors? Refusal { get; }

    public static async ValueTask<Body<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var (fields, errors) = await RequestBody.ReadFieldsAsync(context.Request);
        if (fields is null) return new Body<T>(null, errors);
        var options = LenientJson.Of(context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(ToJson(fields), (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
        }
        catch (JsonException e)
        {
            return new Body<T>(null, errors.Add(RequestBody.FieldOf(e), RequestBody.Describe(e)));
        }
        if (value is null) return new Body<T>(null, errors.Add("body", "a JSON object or a form is required"));
        if (RequestValidation.Validate(value, errors).Any) return new Body<T>(null, errors);
        return new Body<T>(value, null);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new FormOrJsonBody(typeof(T)));

    private static byte[] ToJson(IReadOnlyDictionary<string, JsonElement> fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
