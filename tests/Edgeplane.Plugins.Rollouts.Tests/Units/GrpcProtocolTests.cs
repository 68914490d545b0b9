using System.IO.Pipelines;
using Edgeplane.Plugins.Rollouts;
using Edgeplane.Plugins.Rollouts.Api.Device;
using Edgeplane.Plugins.Rollouts.Data.Ca;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Edgeplane.Plugins.Rollouts.Device.V1;
using Google.Protobuf;

namespace Edgeplane.Plugins.Rollouts.Tests.Units;

public sealed class GrpcProtocolTests
{
    [Theory]
    [InlineData("1H", 3_600_000)]
    [InlineData("2M", 120_000)]
    [InlineData("30S", 30_000)]
    [InlineData("250m", 250)]
    [InlineData("5000u", 5)]
    [InlineData("3000000n", 3)]
    public void Timeouts_parse_with_every_unit(string value, double milliseconds) =>
        Assert.Equal(milliseconds, GrpcProtocol.ParseTimeout(value)!.Value.TotalMilliseconds);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("123456789S")]
    [InlineData("-5S")]
    public void Malformed_timeouts_are_ignored(string? value) => Assert.Null(GrpcProtocol.ParseTimeout(value));

    [Fact]
    public void Status_messages_are_percent_encoded() =>
        Assert.Equal("caf%C3%A9 100%25%0A", GrpcProtocol.EncodeMessage("café 100%\n"));

    private static async Task<T> ReadAsync<T>(byte[] wire, MessageParser<T> parser, long max = 1 << 20) where T : IMessage<T>
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(wire);
        await pipe.Writer.CompleteAsync();
        return await GrpcProtocol.ReadMessageAsync(pipe.Reader, parser, max, CancellationToken.None);
    }

    private static byte[] Frame(IMessage message, byte flag = 0)
    {
        var body = message.ToByteArray();
        var wire = new byte[5 + body.Length];
        wire[0] = flag;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(wire.AsSpan(1), (uint)body.Length);
        body.CopyTo(wire, 5);
        return wire;
    }

    [Fact]
    public async Task A_length_prefixed_message_round_trips()
    {
        var sent = new CheckInRequest { AgentVersion = "1.2.3" };
        sent.Attributes["os"] = "linux";

        var read = await ReadAsync(Frame(sent), CheckInRequest.Parser);

        Assert.Equal(sent, read);
    }

    [Fact]
    public async Task Compressed_truncated_oversized_and_doubled_messages_are_refused()
    {
        var message = new CheckInRequest { AgentVersion = "x" };
        var frame = Frame(message);

        Assert.Equal(GrpcStatus.Unimplemented, (await Assert.ThrowsAsync<RpcException>(() => ReadAsync(Frame(message, 1), CheckInRequest.Parser))).Status);
        Assert.Equal(GrpcStatus.Internal, (await Assert.ThrowsAsync<RpcException>(() => ReadAsync(frame[..^1], CheckInRequest.Parser))).Status);
        Assert.Equal(GrpcStatus.ResourceExhausted, (await Assert.ThrowsAsync<RpcException>(() => ReadAsync(frame, CheckInRequest.Parser, max: 1))).Status);
        Assert.Equal(GrpcStatus.Unimplemented, (await Assert.ThrowsAsync<RpcException>(() => ReadAsync([.. frame, .. frame], CheckInRequest.Parser))).Status);
        Assert.Equal(GrpcStatus.Internal, (await Assert.ThrowsAsync<RpcException>(() => ReadAsync([], CheckInRequest.Parser))).Status);
    }

    [Fact]
    public void The_key_protector_round_trips_and_detects_tampering_and_a_wrong_key()
    {
        var directory = Directory.CreateTempSubdirectory("rollouts-kek-").FullName;
        try
        {
            var protector = new KeyProtector(new RolloutsOptions { DataDirectory = directory });
            var sealedKey = protector.Protect([1, 2, 3, 4], "ca-1");
            var again = new KeyProtector(new RolloutsOptions { DataDirectory = directory });
            var other = new KeyProtector(new RolloutsOptions { CaKeyEncryptionKey = Convert.ToBase64String(new byte[32]) });

            Assert.Equal([1, 2, 3, 4], again.Unprotect(sealedKey, "ca-1"));
            Assert.Equal(protector.KeyId, again.KeyId);
            Assert.NotEqual(protector.KeyId, other.KeyId);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "ca-kek.bin")));
            Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => protector.Unprotect(sealedKey, "ca-2"));
            sealedKey[^1] ^= 1;
            Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => protector.Unprotect(sealedKey, "ca-1"));
            Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => other.Unprotect(protector.Protect([9], "ca-1"), "ca-1"));
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }
}
