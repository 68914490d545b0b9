using Edgeplane.Testing;

namespace Edgeplane.Host.Tests.Data;

/// <summary>Theory data: every provider. A provider whose server is not here is skipped with the reason.</summary>
public sealed class ProviderData : TheoryData<string>
{
    public ProviderData()
    {
        foreach (var provider in TestDatabases.Providers) Add(provider);
    }

    public static void SkipIfUnavailable(string provider)
    {
        if (TestDatabases.Unavailable(provider) is { } reason) Assert.Skip(reason);
    }
}
