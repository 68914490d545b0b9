using System.Diagnostics;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>Runs the real DNS clients: BIND's <c>dig</c> and Knot's <c>kdig</c>.</summary>
public static class Dig
{
    public static Task<string> DigAsync(int port, params string[] args) => RunAsync("dig", ["@127.0.0.1", "-p", port.ToString(), "+tries=1", "+time=3", .. args]);

    public static Task<string> KdigAsync(int port, params string[] args) => RunAsync("kdig", ["@127.0.0.1", "-p", port.ToString(), "+retry=0", "+time=3", .. args]);

    public static async Task<string> RunAsync(string program, string[] args)
    {
        if (!File.Exists("/usr/bin/" + program)) Assert.Skip($"{program} is not installed (Debian bind9-dnsutils / knot-dnsutils)");
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await stdout + await stderr;
    }

    /// <summary>The answer section's RDATA for <c>dig +short</c>-style checks, sorted.</summary>
    public static async Task<List<string>> ShortAsync(int port, string name, string type, params string[] extra)
    {
        var output = await DigAsync(port, ["+short", "+norec", .. extra, name, type]);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order().ToList();
    }

    /// <summary>The octets of each quoted character-string in a line of dig/kdig output (<c>\X</c> and <c>\DDD</c> unescaped).</summary>
    public static List<byte[]> CharacterStrings(string line)
    {
        var strings = new List<byte[]>();
        List<byte>? current = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (current is null) { if (c == '"') current = []; continue; }
            if (c == '"') { strings.Add([.. current]); current = null; }
            else if (c == '\\' && i + 3 < line.Length && char.IsAsciiDigit(line[i + 1]))
            {
                current.Add(byte.Parse(line.AsSpan(i + 1, 3), System.Globalization.CultureInfo.InvariantCulture));
                i += 3;
            }
            else if (c == '\\') current.Add((byte)line[++i]);
            else
            {
                var rune = System.Text.Rune.GetRuneAt(line, i);
                current.AddRange(System.Text.Encoding.UTF8.GetBytes(rune.ToString()));
                i += rune.Utf16SequenceLength - 1;
            }
        }
        return strings;
    }
}

/// <summary>In-process UDP queries, for timing checks where starting a dig process would dominate.</summary>
public static class Udp
{
    public static async Task<Edgeplane.Plugins.Dns.Wire.DnsResponse?> AskAsync(int port, string name, ushort type)
    {
        var id = (ushort)Random.Shared.Next(1, 65535);
        return await Edgeplane.Plugins.Dns.Server.DnsClient.ExchangeAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port),
            Edgeplane.Plugins.Dns.Wire.DnsResponse.Query(id, name, type, 1232), TimeSpan.FromMilliseconds(500), CancellationToken.None);
    }

    public static async Task<bool> HasAsync(int port, string name, string address)
    {
        var r = await AskAsync(port, name, 1);
        return r is not null && r.Answers.Any(a => a.Type == 1 && r.Render(a) == address);
    }

    public static async Task<bool> IsNxDomainAsync(int port, string name) => (await AskAsync(port, name, 1))?.Rcode == 3;
}
