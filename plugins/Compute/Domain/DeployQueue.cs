using System.Threading.Channels;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>Accepted deploys waiting for the engine work (the API answers before the container starts).</summary>
public sealed class DeployQueue
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = false });

    public void Enqueue(string instanceId) => _channel.Writer.TryWrite(instanceId);

    public ChannelReader<string> Reader => _channel.Reader;
}
