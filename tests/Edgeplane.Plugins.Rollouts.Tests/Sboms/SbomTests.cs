using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tests.Artifacts;

namespace Edgeplane.Plugins.Rollouts.Tests.Sboms;

/// <summary>CycloneDX and SPDX JSON documents attached to an artifact, validated, and downloaded as they were sent.</summary>
[Collection(ArtifactsCollection.Name)]
public sealed class SbomTests(ArtifactsFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public const string CycloneDx = """
        {
          "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
          "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
          "metadata": { "timestamp": "2026-11-01T10:00:00Z", "component": { "type": "firmware", "name": "kiosk-fw", "version": "2.0.0" } },
          "components": [
            { "type": "library", "name": "openssl", "version": "3.0.2", "purl": "pkg:deb/debian/openssl@3.0.2", "bom-ref": "openssl",
              "components": [ { "type": "library", "name": "libcrypto", "version": "3.0.2", "purl": "pkg:deb/debian/libcrypto3@3.0.2" } ] },
            { "type": "library", "name": "zlib", "version": "1.2.11", "purl": "pkg:generic/zlib@1.2.11" },
            { "type": "application", "name": "kiosk-ui" }
          ],
          "dependencies": [ { "ref": "openssl", "dependsOn": [] } ]
        }
        """;

    public const string Spdx = """
        {
          "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "kiosk-fw-2.0.0",
          "documentNamespace": "https://example.invalid/spdx/kiosk-fw-2.0.0-1",
          "creationInfo": { "created": "2026-11-01T10:00:00Z", "creators": ["Tool: syft-1.0"] },
          "packages": [
            { "SPDXID": "SPDXRef-busybox", "name": "busybox", "versionInfo": "1.36.1", "downloadLocation": "NOASSERTION",
              "externalRefs": [ { "referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:deb/debian/busybox@1.36.1" } ] },
            { "SPDXID": "SPDXRef-curl", "name": "curl", "versionInfo": "7.88.1", "downloadLocation": "NONE" }
          ]
        }
        """;

    private static StringContent Document(string text, string contentType)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    [Fact]
    public async Task CycloneDx_and_Spdx_are_attached_with_their_components_and_downloaded_in_their_content_type()
    {
        var artifact = await fixture.PublishAsync("sbom-fw", "2.0.0", [1, 2, 3, 4]);
        var id = (string)artifact["id"]!;
        using var client = fixture.Key("operator");

        using var cdx = await client.PostAsync($"/rollouts/api/v1/artifacts/{id}/sboms", Document(CycloneDx, "application/vnd.cyclonedx+json; version=1.5"), Ct);
        Assert.Equal(HttpStatusCode.Created, cdx.StatusCode);
        var cdxView = await cdx.Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.Equal("cyclonedx", (string)cdxView!["format"]!);
        Assert.Equal("1.5", (string)cdxView["specVersion"]!);
        Assert.Equal(4, (int)cdxView["components"]!); // nested component included

        using var spdx = await client.PostAsync($"/rollouts/api/v1/artifacts/{id}/sboms", Document(Spdx, "application/spdx+json"), Ct);
        Assert.Equal(HttpStatusCode.Created, spdx.StatusCode);
        var spdxView = await spdx.Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.Equal("spdx", (string)spdxView!["format"]!);
        Assert.Equal("2.3", (string)spdxView["specVersion"]!);

        using var viewer = fixture.Key("viewer");
        using var download = await viewer.GetAsync($"/rollouts/api/v1/artifacts/{id}/sboms/{cdxView["id"]}", Ct);
        Assert.Equal("application/vnd.cyclonedx+json", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal(CycloneDx, await download.Content.ReadAsStringAsync(Ct));
        using var download2 = await viewer.GetAsync($"/rollouts/api/v1/artifacts/{id}/sboms/{spdxView["id"]}", Ct);
        Assert.Equal("application/spdx+json", download2.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Spdx, await download2.Content.ReadAsStringAsync(Ct));

        var list = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/artifacts/{id}/sboms", Ct);
        Assert.Equal(2, list!["items"]!.AsArray().Count);
        var components = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/artifacts/{id}/sboms/{spdxView["id"]}/components", Ct);
        var busybox = components!["items"]!.AsArray().Single(c => (string)c!["name"]! == "busybox");
        Assert.Equal("1.36.1", (string)busybox!["version"]!);
        Assert.Equal("pkg:deb/debian/busybox@1.36.1", (string)busybox["purl"]!);
        var cdxComponents = await viewer.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/artifacts/{id}/sboms/{cdxView["id"]}/components", Ct);
        Assert.Contains(cdxComponents!["items"]!.AsArray(), c => (string)c!["purl"]! == "pkg:deb/debian/libcrypto3@3.0.2");

        // plain application/json is recognised by its fields
        using var plain = await client.PostAsync($"/rollouts/api/v1/artifacts/{id}/sboms", Document(Spdx, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.Created, plain.StatusCode);

        // another team sees nothing; a viewer cannot attach
        using var other = fixture.Host.ClientWithKey(fixture.OtherTeamKey);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/rollouts/api/v1/artifacts/{id}/sboms/{cdxView["id"]}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/rollouts/api/v1/artifacts/{id}/sboms", Document(CycloneDx, "application/vnd.cyclonedx+json"), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/rollouts/api/v1/artifacts/{id}/sboms", Document(CycloneDx, "application/vnd.cyclonedx+json"), Ct)).StatusCode);
    }

    [Theory]
    [InlineData("application/vnd.cyclonedx+json", """{"bomFormat":"SPDX","specVersion":"1.5"}""", "bomFormat")]
    [InlineData("application/vnd.cyclonedx+json", """{"bomFormat":"CycloneDX","specVersion":"0.9"}""", "specVersion")]
    [InlineData("application/vnd.cyclonedx+json", """{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"x"}]}""", "components[0].type")]
    [InlineData("application/vnd.cyclonedx+json", """{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"x","purl":"npm/x"}]}""", "purl")]
    [InlineData("application/vnd.cyclonedx+json", """{"bomFormat":"CycloneDX","specVersion":"1.6","components":{}}""", "components")]
    [InlineData("application/spdx+json", """{"spdxVersion":"SPDX-3.0","SPDXID":"SPDXRef-DOCUMENT"}""", "spdxVersion")]
    [InlineData("application/spdx+json", """{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"n","dataLicense":"CC0-1.0","documentNamespace":"https://x.invalid/1","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":[]}}""", "creators")]
    [InlineData("application/spdx+json", """{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"n","dataLicense":"CC0-1.0","documentNamespace":"https://x.invalid/1","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: t"]},"packages":[{"SPDXID":"SPDXRef-a","name":"a"}]}""", "downloadLocation")]
    [InlineData("application/json", """{"hello":"world"}""", "neither")]
    [InlineData("application/spdx+json", """not json""", "not JSON")]
    public async Task Invalid_documents_are_400s_that_store_nothing(string contentType, string body, string mentioned)
    {
        var artifact = await fixture.PublishAsync("bad-sbom", Guid.NewGuid().ToString("N")[..12], [7]);
        var id = (string)artifact["id"]!;
        using var client = fixture.Key("operator");
        using var response = await client.PostAsync($"/rollouts/api/v1/artifacts/{id}/sboms", Document(body, contentType), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.Contains(mentioned, problem!["errors"]!["document"]!.ToJsonString());
        var list = await client.GetFromJsonAsync<JsonObject>($"/rollouts/api/v1/artifacts/{id}/sboms", Ct);
        Assert.Empty(list!["items"]!.AsArray());
        using var unsupported = await client.PostAsync($"/rollouts/api/v1/artifacts/{id}/sboms", Document(SbomTests.CycloneDx, "text/plain"), Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
    }
}
