using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Ebpf.Tests;

/// <summary>
/// A client written for bpfdeploy's API (`seeds/ebpf-inventory-api.md`), pointed at a mount with the seed profile:
/// the document's paths under `/api/v1`, its `Authorization: apiKey` header, 200 on every documented route, and
/// "Get all …" meaning all. Written from the document, not from the native API.
/// </summary>
public sealed class SeedProfileTests(EbpfHostFixture f) : IClassFixture<EbpfHostFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_documents_example_reads_a_nodes_programs_by_the_node_name_it_shows()
    {
        f.RequireDatabase();
        var node = await EnrolledNodeAsync(f.TeamId, "aws-ec2-58", programs: 3);
        using var client = f.SeedClient(f.Keys["viewer"]);

        // GET https://api.bpfdeploy.io/api/v1/teams/security36/nodes/aws-ec2-58/bpfprograms, Authorization: apiKey access22
        var programs = await ArrayAsync(await client.GetAsync($"teams/{f.TeamId}/nodes/aws-ec2-58/bpfprograms", Ct));
        var byId = await ArrayAsync(await client.GetAsync($"teams/{f.TeamId}/nodes/{node}/bpfprograms", Ct));

        Assert.Equal(3, programs.Count);
        Assert.Equal(programs.Select(p => (long)p!["id"]!), byId.Select(p => (long)p!["id"]!));
        Assert.All(programs, p => Assert.Equal("aws-ec2-58", (string)p!["nodeName"]!));
    }

    [Fact]
    public async Task Get_all_returns_every_program_map_and_node_as_one_array()
    {
        f.RequireDatabase();
        var team = await f.Admin.CreateTeamAsync("get-all-" + Guid.NewGuid().ToString("N")[..8]);
        var key = await f.Admin.KeyForNewMemberAsync(team, "admin");
        for (var i = 0; i < 3; i++) await EnrolledNodeAsync(team, $"node-{i}", programs: 30, key);
        using var client = f.SeedClient(key);

        Assert.Equal(90, (await ArrayAsync(await client.GetAsync($"teams/{team}/bpfprograms", Ct))).Count); // the native API pages 50 at a time
        Assert.Equal(3, (await ArrayAsync(await client.GetAsync($"teams/{team}/bpfmaps", Ct))).Count);
        Assert.Equal(3, (await ArrayAsync(await client.GetAsync($"teams/{team}/nodes", Ct))).Count);
    }

    [Fact]
    public async Task Every_documented_route_answers_200_when_authorised()
    {
        f.RequireDatabase();
        var team = await f.Admin.CreateTeamAsync("documented-" + Guid.NewGuid().ToString("N")[..8]);
        var key = await f.Admin.KeyForNewMemberAsync(team, "admin");
        var node = await EnrolledNodeAsync(team, "edge-1", programs: 1, key);
        using var client = f.SeedClient(key);

        foreach (var path in new[]
                 {
                     $"teams/{team}", $"teams/{team}/bpfprograms", $"teams/{team}/bpfmaps", $"teams/{team}/nodes",
                     $"teams/{team}/nodes/{node}", $"teams/{team}/nodes/{node}/bpfprograms", $"teams/{team}/nodes/{node}/bpfprograms/1",
                     $"teams/{team}/nodes/{node}/bpfmaps", $"teams/{team}/nodes/{node}/bpfmaps/5",
                 })
        {
            using var response = await client.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        }

        var renamed = "Renamed " + team[..6];
        using (var post = await client.PostAsync($"teams/{team}", new StringContent($"{{\"name\":\"{renamed}\"}}", Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            Assert.Equal(renamed, (string)(await post.Content.ReadFromJsonAsync<JsonObject>(Ct))!["name"]!);
        }

        using (var delete = await client.DeleteAsync($"teams/{team}", Ct))
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        using var gone = await f.SeedClient(f.Keys["admin"]).GetAsync($"teams/{team}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_name_two_nodes_share_is_a_conflict_naming_their_ids_and_the_native_mount_keeps_ids_only()
    {
        f.RequireDatabase();
        var first = await EnrolledNodeAsync(f.TeamId, "twin", programs: 1);
        var second = await EnrolledNodeAsync(f.TeamId, "twin", programs: 1);
        await EnrolledNodeAsync(f.TeamId, "solo", programs: 1);
        using var seed = f.SeedClient(f.Keys["viewer"]);
        using var native = f.Client(f.Keys["viewer"]);

        using var ambiguous = await seed.GetAsync($"teams/{f.TeamId}/nodes/twin", Ct);
        using var byNameOnSeed = await seed.GetAsync($"teams/{f.TeamId}/nodes/solo", Ct);
        using var byNameOnNative = await native.GetAsync($"api/v1/teams/{f.TeamId}/nodes/solo", Ct);

        Assert.Equal(HttpStatusCode.Conflict, ambiguous.StatusCode);
        var detail = (string)(await ambiguous.Content.ReadFromJsonAsync<JsonObject>(Ct))!["detail"]!;
        Assert.Contains(first, detail);
        Assert.Contains(second, detail);
        Assert.Equal(HttpStatusCode.OK, byNameOnSeed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byNameOnNative.StatusCode);
    }

    private async Task<string> EnrolledNodeAsync(string teamId, string name, int programs, string? key = null)
    {
        using var operatorClient = f.Client(key ?? f.Keys["operator"]);
        var token = (string)(await (await operatorClient.PostAsJsonAsync($"api/v1/teams/{teamId}/enrollment-tokens", new { name = "seed" }, Ct))
            .Content.ReadFromJsonAsync<JsonObject>(Ct))!["secret"]!;
        using var anon = f.Anonymous();
        var enrolled = (await (await anon.PostAsJsonAsync("api/v1/nodes/enroll", new { token, name }, Ct)).Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        var nodeId = (string)enrolled["nodeId"]!;
        var report = new JsonObject
        {
            ["schemaVersion"] = 1,
            ["programs"] = new JsonArray(Enumerable.Range(1, programs).Select(i => (JsonNode)new JsonObject
            {
                ["id"] = i, ["type"] = "xdp", ["name"] = $"prog{i}", ["tag"] = $"{i:x16}", ["loadTimeNs"] = 100 + i, ["runCnt"] = 0,
            }).ToArray()),
            ["maps"] = new JsonArray(new JsonObject { ["id"] = 5, ["type"] = "hash", ["name"] = "m5", ["maxEntries"] = 16 }),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/nodes/{nodeId}/reports") { Content = new StringContent(report.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Edgeplane-Node-Credential", (string)enrolled["credential"]!);
        using var accepted = await anon.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        return nodeId;
    }

    private static async Task<JsonArray> ArrayAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
            return (JsonArray)JsonNode.Parse(text)!;
        }
    }
}
