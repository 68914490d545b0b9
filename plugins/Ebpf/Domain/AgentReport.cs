using System.Globalization;
using System.Text;
using System.Text.Json;
using Edgeplane.Plugins.Ebpf.Data;

namespace Edgeplane.Plugins.Ebpf.Domain;

/// <summary>A validated agent report.</summary>
public sealed record AgentReport(
    string? AgentVersion,
    string? Hostname,
    string? MachineId,
    string? KernelRelease,
    DateTimeOffset? CollectedAt,
    string Features,
    string FeaturesHash,
    IReadOnlyList<ReportedObject> Objects)
{
    public int ProgramCount => Objects.Count(o => o.Kind == ObjectKinds.Program);
    public int MapCount => Objects.Count(o => o.Kind == ObjectKinds.Map);

    /// <summary>What the report writes on its node.</summary>
    public NodeReport Node => new(AgentVersion, Hostname, MachineId, KernelRelease, CollectedAt, Features, FeaturesHash, ProgramCount, MapCount);

    private static readonly string[] FeatureKeys =
        ["schemaVersion", "agentVersion", "hostname", "nodeName", "machineId", "bootedAt", "kernel", "btf", "jit", "sysctl", "bpffs", "features", "walkErrors"];

    /// <summary>
    /// Parses and validates a report. Returns null and fills <paramref name="errors"/> (field → messages) when
    /// the report is malformed; nothing about a bad report is kept.
    /// </summary>
    public static AgentReport? Parse(ReadOnlyMemory<byte> body, int maxObjects, Dictionary<string, List<string>> errors)
    {
        void Error(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            if (list.Count < 5) list.Add(message);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            Error("body", "is not valid JSON: " + e.Message);
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Error("body", "must be a JSON object");
                return null;
            }
            if (root.TryGetProperty("schemaVersion", out var schema) && (schema.ValueKind != JsonValueKind.Number || !schema.TryGetInt32(out var v) || v != 1))
                Error("schemaVersion", "must be 1");

            string? OptionalString(JsonElement parent, string name, string field, int max)
            {
                if (!parent.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
                if (e.ValueKind != JsonValueKind.String) { Error(field, "must be a string"); return null; }
                var s = e.GetString()!;
                if (s.Length > max) { Error(field, $"must be at most {max} characters"); return null; }
                return s;
            }

            var agentVersion = OptionalString(root, "agentVersion", "agentVersion", 64);
            var hostname = OptionalString(root, "hostname", "hostname", 255);
            var machineId = OptionalString(root, "machineId", "machineId", 64);
            if (machineId is not null && !Domain.MachineId.IsValid(machineId)) Error("machineId", Domain.MachineId.Rule);
            string? kernelRelease = null;
            if (root.TryGetProperty("kernel", out var kernel))
            {
                if (kernel.ValueKind == JsonValueKind.Object) kernelRelease = OptionalString(kernel, "release", "kernel.release", 255);
                else if (kernel.ValueKind != JsonValueKind.Null) Error("kernel", "must be an object");
            }
            DateTimeOffset? collectedAt = null;
            var collected = OptionalString(root, "collectedAt", "collectedAt", 64);
            if (collected is not null)
            {
                if (DateTimeOffset.TryParse(collected, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) collectedAt = at.ToUniversalTime();
                else Error("collectedAt", "must be an RFC 3339 time");
            }
            foreach (var key in (string[])["btf", "jit", "sysctl", "features"])
                if (root.TryGetProperty(key, out var e) && e.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                    Error(key, "must be an object");
            if (root.TryGetProperty("bpffs", out var bpffs) && bpffs.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
                Error("bpffs", "must be an array");

            var objects = new List<ReportedObject>();
            ReadObjects(root, "programs", ObjectKinds.Program, objects, maxObjects, Error);
            ReadObjects(root, "maps", ObjectKinds.Map, objects, maxObjects, Error);
            if (errors.Count > 0) return null;

            // The feature report without the per-collection fields (collectedAt is a node column). Its hash
            // decides whether it is rewritten; the boot time (computed, jitters by a millisecond) counts to the minute.
            var text = FeatureText(root, includeBootedAt: true);
            var booted = root.TryGetProperty("bootedAt", out var b) && b.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(b.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var bootedAt)
                ? bootedAt.ToUnixTimeSeconds() / 60 : 0;
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
                Encoding.UTF8.GetBytes(FeatureText(root, includeBootedAt: false) + "|" + booted)));
            return new AgentReport(agentVersion, hostname, machineId, kernelRelease, collectedAt, text, hash, objects);
        }
    }

    /// <summary>The feature sections of the report, verbatim, as one JSON object.</summary>
    private static string FeatureText(JsonElement root, bool includeBootedAt)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var key in FeatureKeys)
            {
                if (!includeBootedAt && key == "bootedAt") continue;
                if (!root.TryGetProperty(key, out var e)) continue;
                writer.WritePropertyName(key);
                e.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void ReadObjects(JsonElement root, string property, string kind, List<ReportedObject> objects, int maxObjects, Action<string, string> error)
    {
        if (!root.TryGetProperty(property, out var array))
        {
            error(property, "is required (an empty array when there are none)");
            return;
        }
        if (array.ValueKind != JsonValueKind.Array)
        {
            error(property, "must be an array");
            return;
        }
        var seen = new HashSet<long>();
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var field = $"{property}[{index++}]";
            if (objects.Count >= maxObjects)
            {
                error(property, $"a report holds at most {maxObjects} programs and maps");
                return;
            }
            if (item.ValueKind != JsonValueKind.Object)
            {
                error(field, "must be an object");
                continue;
            }
            if (!item.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out var id) || id < 1 || id > uint.MaxValue)
            {
                error(field + ".id", "must be an integer between 1 and 4294967295");
                continue;
            }
            if (!seen.Add(id))
            {
                error(field + ".id", $"{id} appears twice");
                continue;
            }
            var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : null;
            if (type is null || type.Length is 0 or > 64)
            {
                error(field + ".type", "must be a string of 1 to 64 characters");
                continue;
            }
            var name = item.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : null;
            if (name is null || name.Length > 64)
            {
                error(field + ".name", "must be a string of at most 64 characters");
                continue;
            }
            var raw = item.GetRawText();
            if (raw.Length > 64 * 1024)
            {
                error(field, "is larger than 64 KiB");
                continue;
            }
            string identity;
            if (kind == ObjectKinds.Program)
            {
                var tag = item.TryGetProperty("tag", out var tg) && tg.ValueKind == JsonValueKind.String ? tg.GetString()! : null;
                if (tag is null || tag.Length != 16 || !tag.All(Uri.IsHexDigit))
                {
                    error(field + ".tag", "must be 16 hexadecimal characters");
                    continue;
                }
                var loaded = item.TryGetProperty("loadTimeNs", out var lt) && lt.ValueKind == JsonValueKind.Number && lt.TryGetUInt64(out var ns) ? ns.ToString(CultureInfo.InvariantCulture) : "";
                identity = $"{id}/{type}/{tag}/{loaded}";
            }
            else
            {
                identity = $"{id}/{type}/{name}";
            }
            objects.Add(new ReportedObject(kind, id, identity, type, name, raw));
        }
    }
}
