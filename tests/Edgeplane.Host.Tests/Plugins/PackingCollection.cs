namespace Edgeplane.Host.Tests.Plugins;

/// <summary>Tests that run <c>dotnet pack</c> or <c>dotnet build</c> on this repository's projects: one at a time, since two of them on one project write the same files under its obj and bin folders.</summary>
[CollectionDefinition(Name)]
public sealed class PackingCollection
{
    public const string Name = "dotnet pack";
}
