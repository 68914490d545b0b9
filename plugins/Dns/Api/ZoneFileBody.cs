using System.Reflection;
using Edgeplane.Plugins.Dns.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Edgeplane.Plugins.Dns.Api;

/// <summary>
/// The body of <c>POST /api/zone/{zone}/import</c>: the master file itself (Content-Type <c>text/dns</c> or
/// <c>text/plain</c>, UTF-8), or the fields of <see cref="ZoneImport"/> as JSON or a form, bound as <see cref="Body{T}"/>.
/// </summary>
public sealed class ZoneFileBody : IBindableFromHttpContext<ZoneFileBody>, IEndpointParameterMetadataProvider, IRefusableBody
{
    private static readonly string[] TextTypes = ["text/dns", "text/plain"];

    private ZoneFileBody(string? zonefile, string? mode, bool isText, FieldErrors? refusal) =>
        (Zonefile, Mode, IsText, Refusal) = (zonefile, mode, isText, refusal);

    public string? Zonefile { get; }

    /// <summary>The mode field; null for a master file sent as the body (its mode is the query's).</summary>
    public string? Mode { get; }

    public bool IsText { get; }

    public FieldErrors? Refusal { get; }

    public static async ValueTask<ZoneFileBody?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var request = context.Request;
        if (request.ContentType is { } type && TextTypes.Any(t => type.StartsWith(t, StringComparison.OrdinalIgnoreCase)))
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, context.RequestAborted);
            return MasterFileReader.Utf8(body.ToArray()) is { } text
                ? new ZoneFileBody(text, null, isText: true, null)
                : new ZoneFileBody(null, null, isText: true, new FieldErrors().Add("zonefile", "must be UTF-8 text"));
        }
        var fields = (await Body<ZoneImport>.BindAsync(context, parameter))!;
        return fields.Refusal is { } refusal
            ? new ZoneFileBody(null, null, isText: false, refusal)
            : new ZoneFileBody(fields.Value.Zonefile, fields.Value.Mode, isText: false, null);
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) => builder.Metadata.Add(new Accepts());

    private sealed class Accepts : IAcceptsMetadata
    {
        // the host's document describes the text types as text; JSON is read whatever else the Content-Type says
        public IReadOnlyList<string> ContentTypes { get; } = ["application/json", "application/x-www-form-urlencoded", .. TextTypes, "*/*"];
        public Type? RequestType => typeof(ZoneImport);
        public bool IsOptional => false;
    }
}
