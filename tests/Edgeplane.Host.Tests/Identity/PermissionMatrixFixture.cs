using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Edgeplane.Testing;
using Edgeplane.Testing.Permissions;

namespace Edgeplane.Host.Tests.Identity;

/// <summary>One real host with no plugin (each plugin's routes get the same matrix in its own test project) and the matrix's credentials.</summary>
public sealed class PermissionMatrixFixture : IAsyncLifetime
{
    public HostProcess Host { get; private set; } = null!;
    public MatrixCredentials Credentials { get; private set; } = null!;
    public JsonObject OpenApi { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Host = await HostProcess.StartAsync(new HostOptions { Plugins = [] });
        OpenApi = (await Host.Client.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        Credentials = await MatrixCredentials.CreateAsync(Host);
    }

    /// <summary>The team's own object for a path parameter, or null when the route is tried with one that does not exist.</summary>
    public string? TeamObject(ApiOperation operation, string parameter) => parameter == "teamId" ? Credentials.TeamId : null;

    public async ValueTask DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
    }
}
