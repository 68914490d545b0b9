using Edgeplane.Testing;
using Edgeplane.Testing.Conformance;

namespace Edgeplane.Plugins.Compute.Tests;

/// <summary>The Compute plugin alone, with no node (no container engine needed).</summary>
public sealed class ComputeConformanceHost : ConformanceHost
{
    public override string PluginFolder => Path.Combine(HostProcess.DefaultPluginDirectory, "Edgeplane.Plugins.Compute");
}

/// <summary>
/// The conformance kit on the Compute plugin. A team's instances need a container engine: their deletion with the team
/// (rows and containers) is <see cref="ComputeApiTests.Deleting_a_team_removes_its_instances_rows_and_containers"/>,
/// on real podman, SQLite and PostgreSQL; here no row may name the deleted team.
/// </summary>
public sealed class ComputeConformanceTests(ComputeConformanceHost host) : PluginConformance<ComputeConformanceHost>(host)
{
    protected override Task<IReadOnlyCollection<string>> CreateTeamDataAsync(TeamAdmin team) => Task.FromResult<IReadOnlyCollection<string>>([]);
}
