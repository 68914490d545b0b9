using System.Text.Json.Nodes;
using Edgeplane.Testing.Conformance;
using Edgeplane.Testing.Permissions;

namespace Edgeplane.Host.Tests.Security;

/// <summary>
/// Every operation of the host's own API, sent hostile input with and without a credential (<see cref="HostileInput"/>):
/// never a 5xx, never a stack trace, and a refused request stores nothing. Each plugin's operations get the same in its
/// test project (<c>PluginConformance</c>).
/// </summary>
public sealed class HostileInputTests(AllPluginsFixture fixture) : IClassFixture<AllPluginsFixture>
{
    [Fact]
    public async Task No_host_operation_answers_hostile_input_with_a_server_error_or_stores_what_it_refused()
    {
        var document = JsonNode.Parse(await fixture.Host.Client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!.AsObject();
        var hostPaths = ApiOperation.Read(document).Where(o => o.Plugin == "host").Select(o => o.Path).ToHashSet();

        var failures = await HostileInput.FailuresAsync(fixture.Host, hostPaths.Contains, TestContext.Current.CancellationToken);

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
