using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Security;

/// <summary>
/// One real host with all five first-party plugins at their default mounts, each listener of its own on a free
/// port of 127.0.0.1 (the DNS server, the device API, the WAF proxy, whose upstream nothing listens on).
/// </summary>
public sealed class AllPluginsFixture : IAsyncLifetime
{
    public HostProcess Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Host = await HostProcess.StartAsync(new HostOptions
        {
            Environment = new()
            {
                ["Edgeplane__Plugins__dns__Listen"] = $"127.0.0.1:{FreePort.Next()}",
                ["Edgeplane__Plugins__rollouts__DeviceApi__Port"] = FreePort.Next().ToString(),
                ["Edgeplane__Plugins__waf__Proxy__Listen"] = $"http://127.0.0.1:{FreePort.Next()}",
                ["Edgeplane__Plugins__waf__Proxy__Upstream"] = $"http://127.0.0.1:{FreePort.Next()}",
                ["Edgeplane__Identity__AllowSignup"] = "true",
            },
        });
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
