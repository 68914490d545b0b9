using System.Collections.Concurrent;
using Edgeplane.Plugins.Compute.Data;

namespace Edgeplane.Plugins.Compute.Engine;

/// <summary>One engine client per node endpoint, shared (HttpClient pools its connections).</summary>
public sealed class EngineClients(ComputeOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<string, DockerEngineClient> _clients = new();

    private EngineTlsOptions Tls { get; } = new(options.Tls.CaFile, options.Tls.CertFile, options.Tls.KeyFile);

    public DockerEngineClient For(NodeRow node) => For(Endpoint(node));

    public DockerEngineClient For(EngineEndpoint endpoint) =>
        _clients.GetOrAdd(endpoint.ToString(), _ => new DockerEngineClient(endpoint, Tls, apiVersion: options.ApiVersion));

    public static EngineEndpoint Endpoint(NodeRow node) =>
        EngineEndpoint.TryParse(node.Address, node.Port, node.Tls, out var error) ?? throw new InvalidOperationException($"node {node.Id} has a bad address: {error}");

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
    }
}
