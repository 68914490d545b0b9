using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

namespace Edgeplane.Host.Plugins;

/// <summary>
/// A route source's endpoints, built once (a route source builds them anew at every read), minus those
/// that no mount serves (a plugin mount's <c>Paths</c> left them out). <see cref="Build"/> builds them ahead
/// of the first request, so that a handler the framework cannot bind fails its plugin at startup instead
/// of every request. A failed plugin's sources are withdrawn and serve nothing; the change token tells
/// routing, which rebuilds its matcher, so a withdrawal after the first request counts too. The host's own
/// sources are wrapped the same way.
/// </summary>
public sealed class ServedEndpointDataSource(EndpointDataSource inner) : EndpointDataSource
{
    public static readonly object Unserved = new UnservedMarker();

    private readonly Lazy<IReadOnlyList<Endpoint>> _endpoints = new(() => Served(inner.Endpoints));
    private CancellationTokenSource _changed = new();
    private volatile bool _withdrawn;

    public override IReadOnlyList<Endpoint> Endpoints => _withdrawn ? [] : _endpoints.Value;

    public override IChangeToken GetChangeToken() => new CancellationChangeToken(_changed.Token);

    public void Build() => _ = _endpoints.Value;

    public void Withdraw()
    {
        _withdrawn = true;
        // a fresh token for whoever asks next: a token that has already fired would make routing listen in a loop
        Interlocked.Exchange(ref _changed, new CancellationTokenSource()).Cancel();
    }

    private static List<Endpoint> Served(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Where(e => e.Metadata.GetMetadata<UnservedMarker>() is null).ToList();

    private sealed class UnservedMarker;
}
