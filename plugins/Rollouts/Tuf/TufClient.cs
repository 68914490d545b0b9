using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Edgeplane.Plugins.Rollouts.Tuf;

/// <summary>
/// A TUF client (the specification's client workflow, without delegations) for the device agent: updates the trusted root
/// one version at a time (each new root signed by a threshold of the previous root's keys and of its own), then timestamp,
/// snapshot (length and hash from the timestamp), targets (version from the snapshot), checking signatures, versions
/// and expiry, and finally downloads a target and checks its length and SHA-256 against the signed targets metadata.
/// The trusted root and the last timestamp, snapshot and targets versions are kept in <c>{stateDir}/tuf/</c>
/// (rollback protection). The first root is fetched over the device's mTLS channel (pinned to the device CA).
/// </summary>
public sealed class TufClient(Func<string, CancellationToken, Task<byte[]?>> fetch, string stateDir, Func<DateTimeOffset>? now = null)
{
    private readonly string _dir = Path.Combine(stateDir, "tuf");
    private readonly Func<DateTimeOffset> _now = now ?? (() => DateTimeOffset.UtcNow);

    public JsonObject? Targets { get; private set; }
    public long RootVersion { get; private set; }

    private JsonObject? Load(string role) => File.Exists(Path.Combine(_dir, role + ".json")) ? JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, role + ".json")))!.AsObject() : null;

    private void Save(string role, byte[] data)
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, role + ".json");
        File.WriteAllBytes(path + ".tmp", data);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private async Task<byte[]> FetchAsync(string path, CancellationToken ct) =>
        await fetch(path, ct) ?? throw new TufException($"{path} is not in the repository");

    private static JsonObject Parse(byte[] data, string what)
    {
        try
        {
            return JsonNode.Parse(data)!.AsObject();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
        {
            throw new TufException($"{what} is not a metadata document");
        }
    }

    private void CheckSigned(JsonObject doc, JsonObject root, string role, string what)
    {
        if ((string?)doc["signed"]?["_type"] != role) throw new TufException($"{what}: _type is not {role}");
        if (!TufMetadata.VerifyThreshold(doc, root, role)) throw new TufException($"{what}: not signed by a threshold of the {role} keys");
    }

    private void CheckExpiry(JsonObject doc, string what)
    {
        if (TufMetadata.ParseExpiry((string)doc["signed"]!["expires"]!) <= _now()) throw new TufException($"{what} has expired");
    }

    private static long Version(JsonObject doc) => (long)doc["signed"]!["version"]!;

    public async Task RefreshAsync(CancellationToken ct)
    {
        // 1. root
        var root = Load("root");
        if (root is null)
        {
            var first = await FetchAsync("1.root.json", ct);
            root = Parse(first, "1.root.json");
            CheckSigned(root, root["signed"]!.AsObject(), "root", "1.root.json");
            Save("root", first);
        }
        for (var i = 0; i < 256; i++)
        {
            var next = Version(root) + 1;
            var data = await fetch($"{next}.root.json", ct);
            if (data is null) break;
            var candidate = Parse(data, $"{next}.root.json");
            CheckSigned(candidate, root["signed"]!.AsObject(), "root", $"{next}.root.json (by the trusted root)");
            CheckSigned(candidate, candidate["signed"]!.AsObject(), "root", $"{next}.root.json (by itself)");
            if (Version(candidate) != next) throw new TufException($"{next}.root.json has version {Version(candidate)}");
            root = candidate;
            Save("root", data);
        }
        CheckExpiry(root, "root");
        RootVersion = Version(root);
        var rootSigned = root["signed"]!.AsObject();

        // 2. timestamp
        var tsData = await FetchAsync("timestamp.json", ct);
        var timestamp = Parse(tsData, "timestamp.json");
        CheckSigned(timestamp, rootSigned, "timestamp", "timestamp.json");
        var trustedTs = Load("timestamp");
        if (trustedTs is not null && TufMetadata.VerifyThreshold(trustedTs, rootSigned, "timestamp") && Version(timestamp) < Version(trustedTs))
            throw new TufException($"timestamp version {Version(timestamp)} is older than the trusted {Version(trustedTs)} (rollback)");
        CheckExpiry(timestamp, "timestamp.json");
        Save("timestamp", tsData);

        // 3. snapshot
        var meta = timestamp["signed"]!["meta"]!["snapshot.json"]!;
        var snapshotVersion = (long)meta["version"]!;
        var snapData = await FetchAsync($"{snapshotVersion}.snapshot.json", ct);
        if (meta["length"] is { } length && (long)length != snapData.Length) throw new TufException("snapshot.json length differs from the timestamp's");
        if (meta["hashes"]?["sha256"] is { } hash && !Convert.ToHexStringLower(SHA256.HashData(snapData)).Equals((string)hash!, StringComparison.OrdinalIgnoreCase))
            throw new TufException("snapshot.json hash differs from the timestamp's");
        var snapshot = Parse(snapData, "snapshot.json");
        CheckSigned(snapshot, rootSigned, "snapshot", "snapshot.json");
        if (Version(snapshot) != snapshotVersion) throw new TufException("snapshot.json version differs from the timestamp's");
        CheckExpiry(snapshot, "snapshot.json");
        Save("snapshot", snapData);

        // 4. targets
        var targetsVersion = (long)snapshot["signed"]!["meta"]!["targets.json"]!["version"]!;
        var trustedTargets = Load("targets");
        if (trustedTargets is not null && Version(trustedTargets) > targetsVersion) throw new TufException("targets version went back (rollback)");
        var targetsData = await FetchAsync($"{targetsVersion}.targets.json", ct);
        var targets = Parse(targetsData, "targets.json");
        CheckSigned(targets, rootSigned, "targets", "targets.json");
        if (Version(targets) != targetsVersion) throw new TufException("targets.json version differs from the snapshot's");
        CheckExpiry(targets, "targets.json");
        Save("targets", targetsData);
        Targets = targets;
    }

    /// <summary>Downloads <paramref name="name"/> and checks it against the signed targets metadata (refresh first).</summary>
    public async Task<byte[]> DownloadAsync(string name, CancellationToken ct)
    {
        if (Targets is null) await RefreshAsync(ct);
        var info = Targets!["signed"]!["targets"]![name] ?? throw new TufException($"{name} is not a signed target");
        var length = (long)info["length"]!;
        var sha = (string)info["hashes"]!["sha256"]!;
        var slash = name.LastIndexOf('/');
        var data = await FetchAsync($"targets/{name[..(slash + 1)]}{sha}.{name[(slash + 1)..]}", ct);
        if (data.LongLength != length) throw new TufException($"{name}: {data.LongLength} bytes, the signed length is {length}");
        if (!Convert.ToHexStringLower(SHA256.HashData(data)).Equals(sha, StringComparison.OrdinalIgnoreCase)) throw new TufException($"{name}: the SHA-256 differs from the signed one");
        return data;
    }
}
