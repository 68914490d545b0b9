using System.Diagnostics;
using System.Text.RegularExpressions;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests;

/// <summary>Runs BIND's <c>named-checkzone</c> on a zone file and returns what it loaded, one canonical line per RR.</summary>
public static partial class NamedCheckzone
{
    public static async Task<List<string>> LoadAsync(string zone, string text)
    {
        if (!File.Exists("/usr/bin/named-checkzone")) Assert.Skip("named-checkzone is not installed (Debian bind9utils)");
        using var dir = new TempDirectory();
        var file = dir.Combine("zone.db");
        var dump = dir.Combine("dump.db");
        await File.WriteAllTextAsync(file, text);
        var info = new ProcessStartInfo("named-checkzone") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-k", "fail", "-n", "fail", "-i", "full", "-D", "-o", dump, zone, file]) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"named-checkzone failed:\n{output}\n{text}");
        return (await File.ReadAllLinesAsync(dump)).Where(l => l.Length > 0 && !l.StartsWith(';')).Select(Canonical).Order().ToList();
    }

    /// <summary>"owner ttl [IN] TYPE rdata" with single spaces and no class, for comparison.</summary>
    public static string Canonical(string line)
    {
        var parts = Spaces().Split(line.Trim()).ToList();
        if (parts.Count > 2 && parts[2] == "IN") parts.RemoveAt(2);
        return string.Join(" ", parts);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
