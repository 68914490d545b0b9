using Edgeplane.Abstractions.Network;
using Microsoft.Extensions.Options;

namespace Edgeplane.Plugins.Dns.Domain;

/// <summary>The bad settings an options validator found, each named by its full key (<c>Edgeplane:Plugins:dns:UdpWorkers</c>) with the reason.</summary>
public sealed class SettingFailures
{
    private const string Section = "Edgeplane:Plugins:dns:";
    private readonly List<string> _failures = [];

    public void Check(bool valid, string key, string message)
    {
        if (!valid) _failures.Add($"{Section}{key}: {message}");
    }

    public void Range(int value, int min, int max, string key) =>
        Check(value >= min && value <= max, key, max == int.MaxValue ? $"must be at least {min} (is {value})" : $"must be {min}-{max} (is {value})");

    public static bool IsAddressOrPrefix(string entry) => IpText.TryParseAddress(entry, out _) || IpText.TryParseNetwork(entry, out _);

    public ValidateOptionsResult Result => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);
}
