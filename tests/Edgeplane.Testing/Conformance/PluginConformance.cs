using System.Text.Json.Nodes;
using Edgeplane.Testing.Permissions;
using Xunit;

namespace Edgeplane.Testing.Conformance;

/// <summary>
/// The conformance kit: what every plugin, first- or third-party, is held to. Derive one class in the plugin's test
/// project (with a <see cref="ConformanceHost"/> naming its folder) and it runs: the permission matrix over the plugin's
/// OpenAPI operations, hostile input on each of them, the OpenAPI document's coverage, a deleted team's data, the
/// migration checksum lock and startup isolation.
/// </summary>
public abstract class PluginConformance<THost>(THost fixture) : IClassFixture<THost> where THost : ConformanceHost
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected HostProcess Host => fixture.Host;

    /// <summary>The plugin's id (its manifest's <c>id</c>, its operations' OpenAPI tag).</summary>
    protected string PluginId => (string)JsonNode.Parse(File.ReadAllText(Path.Combine(fixture.PluginFolder, "plugin.json")))!["id"]!;

    /// <summary>Routes whose declarations do not say it all (anonymous, their own credential, a host admin checked in the handler), with the reason.</summary>
    protected virtual IReadOnlyDictionary<string, RouteAccess> Listed { get; } = new Dictionary<string, RouteAccess>();

    /// <summary>
    /// Objects of the matrix's team, made with its admin key, for the routes that name one: returns the object for a
    /// path parameter, or null to try the route with one that does not exist (another team then gets 404 either way).
    /// </summary>
    protected virtual Task<Func<ApiOperation, string, string?>> CreateTeamObjectsAsync(HttpClient teamAdmin, string teamId) =>
        Task.FromResult<Func<ApiOperation, string, string?>>((_, _) => null);

    /// <summary>Creates a team's data through the plugin's API as that team's admin; returns the ids of what it made.</summary>
    protected abstract Task<IReadOnlyCollection<string>> CreateTeamDataAsync(TeamAdmin team);

    /// <summary>Tables that keep a deleted team's history on purpose, with the reason.</summary>
    protected virtual IReadOnlyDictionary<string, string> KeptAfterTeamDeletion { get; } = new Dictionary<string, string>();

    /// <summary>
    /// The gaps of the OpenAPI document known today, one <c>kind METHOD path</c> per line (see <see cref="OpenApiCoverage"/>);
    /// by default <c>openapi-gaps.txt</c> beside the test assembly. They are printed with every run; a new gap fails, and
    /// so does a listed gap that is gone (take it off the list).
    /// </summary>
    protected virtual string KnownGapsFile => Path.Combine(AppContext.BaseDirectory, "openapi-gaps.txt");

    [Fact]
    public async Task Every_route_answers_every_credential_as_documented()
    {
        var operations = ApiOperation.Read(await OpenApiAsync()).Where(o => o.Plugin == PluginId).ToList();
        Assert.NotEmpty(operations);
        var lowestRoles = DeclaredPermissions.FromManifests(fixture.PluginFolder);
        using var credentials = await MatrixCredentials.CreateAsync(Host);
        Func<ApiOperation, string, string?> teamObject;
        using (var admin = Host.ClientWithKey(credentials[Credential.Admin]!))
            teamObject = await CreateTeamObjectsAsync(admin, credentials.TeamId);
        var matrix = new PermissionMatrix(Host, credentials, teamObject);
        var failures = new List<string>();
        foreach (var operation in operations.OrderBy(ApiOperation.Destructiveness).ThenBy(o => o.Key, StringComparer.Ordinal))
        {
            var access = Listed.GetValueOrDefault(operation.Key) ?? RouteAccess.Derive(operation, lowestRoles);
            if (access is null) failures.Add($"{operation.Key}: declares neither a permission nor session-only, and is not listed with a reason");
            else if (access.Access is Access.Permission or Access.SessionOnly && access.Permission is not null && access.LowestRole is null)
                failures.Add($"{operation.Key}: requires {access.Permission}, which the manifest does not declare");
            else failures.AddRange(await matrix.CheckAsync(operation, access, Ct));
        }
        failures.AddRange(Listed.Keys.Except(operations.Select(o => o.Key)).Select(k => $"{k}: listed, but no such route"));
        Assert.True(failures.Count == 0, $"{failures.Count} wrong answers of {operations.Count} routes × {Enum.GetValues<Credential>().Length} credentials:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task No_operation_answers_hostile_input_with_a_server_error_or_stores_what_it_refused()
    {
        var paths = ApiOperation.Read(await OpenApiAsync()).Where(o => o.Plugin == PluginId).Select(o => o.Path).ToHashSet();

        var failures = await HostileInput.FailuresAsync(Host, paths.Contains, Ct);

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Every_operation_has_a_summary_a_permission_and_its_request_and_response_schemas()
    {
        var gaps = OpenApiCoverage.Gaps(await OpenApiAsync(), PluginId, Listed.Keys.ToHashSet());
        var known = File.Exists(KnownGapsFile) ? File.ReadAllLines(KnownGapsFile).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet() : [];
        TestContext.Current.TestOutputHelper?.WriteLine($"{known.Count} known OpenAPI gaps ({KnownGapsFile}):\n" + string.Join("\n", known.Order()));

        var added = gaps.Except(known).ToList();
        var gone = known.Except(gaps).ToList();

        Assert.True(added.Count == 0 && gone.Count == 0,
            $"new gaps:\n{string.Join("\n", added)}\nlisted in {Path.GetFileName(KnownGapsFile)} but fixed (take them off):\n{string.Join("\n", gone)}");
    }

    [Fact]
    public async Task Deleting_a_team_leaves_no_row_of_it()
    {
        var leftovers = await TeamDeletion.LeftoversAsync(Host, CreateTeamDataAsync, KeptAfterTeamDeletion, Ct);

        Assert.True(leftovers.Count == 0, string.Join("\n", leftovers));
    }

    [Fact]
    public async Task A_failing_plugin_beside_it_and_a_changed_migration_leave_the_host_serving()
    {
        var failures = await PluginIsolation.FailuresAsync(fixture.PluginFolder, fixture.Settings(), Ct);

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private async Task<JsonObject> OpenApiAsync() => JsonNode.Parse(await Host.Client.GetStringAsync("/openapi/v1.json", Ct))!.AsObject();
}
