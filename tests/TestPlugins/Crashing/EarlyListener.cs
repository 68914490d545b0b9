using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;

namespace Edgeplane.TestPlugins.Crashing;

/// <summary>A service started early (<c>IPluginBuilder.StartEarly</c>): accepts TCP connections on its port while it runs.</summary>
public sealed class EarlyListener(int port) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        try
        {
            while (true) (await listener.AcceptTcpClientAsync(stoppingToken)).Dispose();
        }
        catch (OperationCanceledException) { }
        finally
        {
            listener.Stop();
        }
    }
}
