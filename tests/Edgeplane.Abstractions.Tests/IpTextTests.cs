using System.Net;
using Edgeplane.Abstractions.Network;

namespace Edgeplane.Abstractions.Tests;

public sealed class IpTextTests
{
    [Theory]
    [InlineData("192.168.10.1")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    [InlineData("10.0.0.0")]
    [InlineData("::1")]
    [InlineData("2001:db8::1")]
    [InlineData("2001:0DB8:0000::0001")]
    [InlineData("::ffff:192.0.2.1")]
    public void Canonical_ipv4_and_valid_ipv6_text_are_addresses(string text)
    {
        Assert.True(IpText.TryParseAddress(text, out var address));
        Assert.Equal(IPAddress.Parse(text), address);
    }

    [Theory]
    [InlineData("192.168.010.001")] // octal to inet_aton: 192.168.8.1
    [InlineData("010.000.000.001")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("1")]                // 0.0.0.1
    [InlineData("127.1")]            // 127.0.0.1
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.-4")]
    [InlineData("+1.2.3.4")]
    [InlineData(" 1.2.3.4")]
    [InlineData("1.2.3.4 ")]
    [InlineData("1.2.3.4/32")]
    [InlineData("١.٢.٣.٤")]          // non-ASCII digits
    [InlineData("fe80::1%eth0")]
    [InlineData("[::1]")]
    [InlineData("[::1]:80")]
    [InlineData("::ffff:010.0.0.1")]
    [InlineData("1.2.3.4::")]
    [InlineData("2001:db8::g")]
    [InlineData("")]
    [InlineData(null)]
    public void Every_other_form_is_refused(string? text) => Assert.False(IpText.TryParseAddress(text, out _));

    [Fact]
    public void Ipv4_only_refuses_ipv6() => Assert.False(IpText.TryParseIPv4("::1", out _));

    [Theory]
    [InlineData("192.0.2.0/24", "192.0.2.0", 24)]
    [InlineData("10.1.2.3/8", "10.1.2.3", 8)]
    [InlineData("0.0.0.0/0", "0.0.0.0", 0)]
    [InlineData("2001:db8::/32", "2001:db8::", 32)]
    public void A_range_is_a_canonical_address_and_a_prefix(string text, string address, int prefix)
    {
        Assert.True(IpText.TryParseNetwork(text, out var parsed, out var length));
        Assert.Equal(IPAddress.Parse(address), parsed);
        Assert.Equal(prefix, length);
    }

    [Theory]
    [InlineData("010.0.0.0/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/08")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0")]
    [InlineData("::/129")]
    [InlineData("10.0.0.0/+8")]
    public void A_bad_range_is_refused(string text) => Assert.False(IpText.TryParseNetwork(text, out _, out _));

    [Fact]
    public void An_ipnetwork_needs_zero_host_bits()
    {
        Assert.True(IpText.TryParseNetwork("192.0.2.0/24", out IPNetwork network));
        Assert.Equal(IPNetwork.Parse("192.0.2.0/24"), network);
        Assert.False(IpText.TryParseNetwork("192.0.2.1/24", out IPNetwork _));
    }

    [Theory]
    [InlineData("engine.example.net", true)]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("127.1", false)]
    [InlineData("010.0.0.1", false)]
    [InlineData("0x7f.0.0.1", false)]
    [InlineData("1", false)]
    [InlineData("host.0x10", false)]
    [InlineData("bad host", false)]
    [InlineData("", false)]
    public void A_host_is_a_dns_name_or_a_canonical_address(string host, bool valid) => Assert.Equal(valid, IpText.CheckHost(host) is null);

    [Theory]
    [InlineData("127.0.0.1:8080", true)]
    [InlineData("[2001:db8::1]:443", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("node.example.net:80", true)]
    [InlineData("node.example.net", true)]
    [InlineData("0x7f.0.0.1:8080", false)]
    [InlineData("127.0.0.1:0", false)]
    [InlineData("127.0.0.1:65536", false)]
    [InlineData("127.0.0.1:080", false)]
    [InlineData("[::1%eth0]:80", false)]
    [InlineData("[::1", false)]
    public void A_host_and_port_checks_both(string text, bool valid) => Assert.Equal(valid, IpText.CheckHostAndPort(text) is null);
}
