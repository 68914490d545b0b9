using System.Text;
using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Tuf;
using Edgeplane.Plugins.Rollouts.Tests.Support;

namespace Edgeplane.Plugins.Rollouts.Tests.Artifacts;

/// <summary>The canonical JSON the repository signs is byte for byte what tuf-js (@tufjs/canonical-json) computes.</summary>
public sealed class CanonicalJsonTests
{
    [Fact]
    public async Task Matches_tuf_js_canonicalize()
    {
        await NodeGrpc.EnsureInstalledAsync();
        var document = new JsonObject
        {
            ["z"] = 1, ["a"] = new JsonArray(3, -2, true, false, null, "x"), ["B"] = "quote \" backslash \\ tab \t newline \n é ✓ 😀 \u0001",
            ["nested"] = new JsonObject { ["b"] = new JsonObject(), ["a"] = new JsonArray(), ["Ä"] = 9007199254740991L, ["_type"] = "targets" },
            ["a/b.bin"] = new JsonObject { ["length"] = 12, ["hashes"] = new JsonObject { ["sha256"] = "ab" } },
        };
        var input = Path.Combine(Path.GetTempPath(), $"canon-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(input, document.ToJsonString(), TestContext.Current.CancellationToken);
        try
        {
            var module = Path.Combine(NodeGrpc.Folder, "node_modules", "@tufjs", "canonical-json");
            var script = $"const {{canonicalize}}=require('{module}');const fs=require('fs');" +
                         "process.stdout.write(Buffer.from(canonicalize(JSON.parse(fs.readFileSync(process.argv[1],'utf8')))).toString('base64'))";
            var (code, output) = await NodeGrpc.RunAsync("node", ["-e", script, input], TimeSpan.FromSeconds(30));
            Assert.True(code == 0, output);
            var expected = Convert.FromBase64String(output.Trim());
            Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(CanonicalJson.Encode(document)));
            Assert.Equal(expected, CanonicalJson.Encode(document));
        }
        finally
        {
            File.Delete(input);
        }
        Assert.Throws<FormatException>(() => CanonicalJson.Encode(new JsonObject { ["f"] = 1.5 }));
    }
}
