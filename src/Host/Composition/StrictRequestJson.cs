using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Edgeplane.Host.Composition;

/// <summary>
/// The host's JSON options read request bodies strictly: a repeated key, and a null where the bound type's
/// nullable annotations say a value is required (<c>{"selector":{"matchLabels":null}}</c>), fail the read (400
/// naming the field) instead of reaching a handler. Responses are written as before: the annotations are enforced
/// on reads only, because the generated metadata of every resolver in the chain is wrapped by this resolver.
/// </summary>
public sealed class StrictRequestJson(IJsonTypeInfoResolver inner) : IJsonTypeInfoResolver
{
    public IJsonTypeInfoResolver Inner { get; } = inner;

    public static void Apply(JsonSerializerOptions options)
    {
        options.AllowDuplicateProperties = false;
        options.RespectNullableAnnotations = true;
        var chain = options.TypeInfoResolverChain;
        for (var i = 0; i < chain.Count; i++)
            if (chain[i] is not StrictRequestJson) chain[i] = new StrictRequestJson(chain[i]);
    }

    public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
    {
        var info = Inner.GetTypeInfo(type, options);
        if (info?.Kind != JsonTypeInfoKind.Object) return info;
        foreach (var property in info.Properties)
            if (!property.PropertyType.IsValueType || Nullable.GetUnderlyingType(property.PropertyType) is not null)
                property.IsGetNullable = true;
        return info;
    }
}
