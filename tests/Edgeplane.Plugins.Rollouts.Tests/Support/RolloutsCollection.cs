namespace Edgeplane.Plugins.Rollouts.Tests.Support;

/// <summary>Every integration test class shares one host (and its device listener).</summary>
[CollectionDefinition(Name)]
public sealed class RolloutsCollection : ICollectionFixture<RolloutsFixture>
{
    public const string Name = "rollouts host";
}
