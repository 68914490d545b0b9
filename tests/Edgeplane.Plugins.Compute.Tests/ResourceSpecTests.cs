using Edgeplane.Plugins.Compute.Domain;

namespace Edgeplane.Plugins.Compute.Tests;

public sealed class ResourceSpecTests
{
    [Theory]
    [InlineData("512", 512L * 1024 * 1024)]
    [InlineData("512m", 512L * 1024 * 1024)]
    [InlineData("512MB", 512L * 1024 * 1024)]
    [InlineData("512 MiB", 512L * 1024 * 1024)]
    [InlineData("1.5g", 1536L * 1024 * 1024)]
    [InlineData("2GiB", 2048L * 1024 * 1024)]
    [InlineData("1t", 1024L * 1024 * 1024 * 1024)]
    [InlineData("65536k", 64L * 1024 * 1024)]
    [InlineData("67108864b", 64L * 1024 * 1024)]
    public void Parses_memory_sizes(string text, long bytes)
    {
        Assert.Equal(bytes, ResourceSpec.ParseMemory(text, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-5m")]
    [InlineData("5m")]
    [InlineData("12 parsecs")]
    [InlineData("1e9")]
    [InlineData("0")]
    public void Rejects_malformed_or_tiny_memory(string text)
    {
        Assert.Null(ResourceSpec.ParseMemory(text, out var error));
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("0.5", 500_000_000)]
    [InlineData("2", 2_000_000_000)]
    [InlineData("250m", 250_000_000)]
    [InlineData(" 1.25 ", 1_250_000_000)]
    public void Parses_cpu(string text, long nano) => Assert.Equal(nano, ResourceSpec.ParseCpu(text, out _));

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("half")]
    [InlineData("5m")]
    [InlineData("2000")]
    public void Rejects_bad_cpu(string text)
    {
        Assert.Null(ResourceSpec.ParseCpu(text, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Parses_port_lists()
    {
        var ports = ResourceSpec.ParsePorts("8080:80, 8443:443/tcp 5353:53/udp,9000", out var error);
        Assert.Null(error);
        Assert.Equal([new(8080, 80, "tcp"), new(8443, 443, "tcp"), new(5353, 53, "udp"), new(0, 9000, "tcp")], ports);
        Assert.Empty(ResourceSpec.ParsePorts("", out _)!);
    }

    [Theory]
    [InlineData("80:")]
    [InlineData("http")]
    [InlineData("70000:80")]
    [InlineData("8080:0")]
    [InlineData("8080:80,8080:81")]
    [InlineData("8080:80,8081:80")]
    [InlineData("8080:80/sctp")]
    [InlineData("1.2.3.4:80:80")]
    public void Rejects_bad_port_lists(string text)
    {
        Assert.Null(ResourceSpec.ParsePorts(text, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Formats_sizes() =>
        Assert.Equal(["512m", "2g", "1000b"], new[] { 512 * ResourceSpec.MiB, 2048 * ResourceSpec.MiB, 1000L }.Select(ResourceSpec.FormatSize));
}
