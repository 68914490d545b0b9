using System.Net;
using Edgeplane.Plugins.Dns.Server;

namespace Edgeplane.Plugins.Dns.Tests.Unit;

public sealed class TcpConnectionLimitsTests
{
    [Fact]
    public void A_client_is_limited_before_the_global_cap()
    {
        var limits = new TcpConnectionLimits(perClient: 2, total: 3);
        var a = IPAddress.Parse("192.0.2.1");
        var b = IPAddress.Parse("192.0.2.2");
        Assert.True(limits.TryOpen(a));
        Assert.True(limits.TryOpen(IPAddress.Parse("::ffff:192.0.2.1"))); // the same client over an IPv6 socket
        Assert.False(limits.TryOpen(a));
        Assert.True(limits.TryOpen(b));
        Assert.False(limits.TryOpen(IPAddress.Parse("192.0.2.3"))); // global cap
        limits.Close(a);
        Assert.True(limits.TryOpen(IPAddress.Parse("192.0.2.3")));
        Assert.False(limits.TryOpen(a));
    }

    [Fact]
    public void An_ipv6_client_is_its_64()
    {
        var limits = new TcpConnectionLimits(perClient: 2, total: 100);
        Assert.True(limits.TryOpen(IPAddress.Parse("2001:db8:1:2::1")));
        Assert.True(limits.TryOpen(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.False(limits.TryOpen(IPAddress.Parse("2001:db8:1:2:abcd::1")));
        Assert.True(limits.TryOpen(IPAddress.Parse("2001:db8:1:3::1")));
        limits.Close(IPAddress.Parse("2001:db8:1:2::1"));
        Assert.True(limits.TryOpen(IPAddress.Parse("2001:db8:1:2:abcd::1")));
    }
}
