using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

namespace Edgeplane.Host.Plugins;

/// <summary>A plugin's endpoints minus those that no mount serves (a mount's <c>Paths</c> left them out).</summary>
public sealed class ServedEndpointDataSource(EndpointDataSource inner) : EndpointDataSource
{
    public static readonly object Unserved = new UnservedMarker();

    private IReadOnlyList<Endpoint>? _endpoints;

    public override IReadOnlyList<Endpoint> Endpoints => _endpoints ??= Served(inner.Endpoints);

    public override IReadOnlyList<Endpoint> GetGroupedEndpoints(RouteGroupContext context) => Served(inner.GetGroupedEndpoints(context));

    public override IChangeToken GetChangeToken() => inner.GetChangeToken();

    private static List<Endpoint> Served(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Where(e => e.Metadata.GetMetadata<UnservedMarker>() is null).ToList();

    private sealed class UnservedMarker;
}
