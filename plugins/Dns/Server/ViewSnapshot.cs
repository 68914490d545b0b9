using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// The served view persisted in the plugin's data directory, so that a restart answers at once: one file per
/// zone (<c>{zone}.zone.json</c>: its id, serial, records in wire form and IXFR journal) and <c>view.json</c> (the change feed position
/// the zone files include, and the feed's last row at or before it, to recognise the database). Every file
/// starts with the SHA-256 of the rest; each is written to a temporary file and renamed. Zone files are
/// written before <c>view.json</c>, so a zone file is never older than the position that names it.
/// </summary>
public sealed class ViewSnapshot(string directory)
{
    private const string ViewFile = "view.json";
    private const string ZoneSuffix = ".zone.json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Directory { get; } = directory;

    /// <summary>The position a snapshot includes, and the feed's last row at or before it (null when the feed was empty).</summary>
    public sealed record Mark(long Position, long? ChangePosition, string? ChangeZoneId);

    private sealed record ZoneFile(string Id, string Name, long Serial, byte[] Records, List<ZoneDelta>? Journal);

    public void WriteZone(ZoneSnapshot zone) =>
        Write(zone.Name + ZoneSuffix, JsonSerializer.SerializeToUtf8Bytes(new ZoneFile(zone.Id, zone.Name, zone.Soa.Serial, zone.Records(), [.. zone.Journal]), Json));

    public void DeleteZone(string name) => File.Delete(Path.Combine(Directory, name + ZoneSuffix));

    /// <summary>Removes the zone files of zones not in <paramref name="keep"/>.</summary>
    public void DeleteOthers(IReadOnlySet<string> keep)
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*" + ZoneSuffix))
            if (!keep.Contains(Path.GetFileName(file)[..^ZoneSuffix.Length])) File.Delete(file);
    }

    public void WriteMark(Mark mark) => Write(ViewFile, JsonSerializer.SerializeToUtf8Bytes(mark, Json));

    /// <summary>
    /// The snapshot's mark and zones (each built by <paramref name="build"/> from its id, name, serial, records and journal),
    /// or null with the reason when there is none or any file fails its checksum or cannot be read.
    /// </summary>
    public (Mark Mark, List<ZoneSnapshot> Zones)? Load(Func<string, string, long, byte[], IReadOnlyList<ZoneDelta>, ZoneSnapshot> build, out string? problem)
    {
        problem = null;
        var viewPath = Path.Combine(Directory, ViewFile);
        if (!File.Exists(viewPath))
        {
            problem = "no snapshot";
            return null;
        }
        try
        {
            var mark = JsonSerializer.Deserialize<Mark>(Read(viewPath), Json) ?? throw new InvalidDataException("empty view file");
            var zones = new List<ZoneSnapshot>();
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*" + ZoneSuffix))
            {
                var zone = JsonSerializer.Deserialize<ZoneFile>(Read(file), Json) ?? throw new InvalidDataException($"{file}: empty");
                if (zone.Name + ZoneSuffix != Path.GetFileName(file)) throw new InvalidDataException($"{file}: holds zone {zone.Name}");
                zones.Add(build(zone.Id, zone.Name, zone.Serial, zone.Records ?? throw new InvalidDataException($"{file}: no records"), zone.Journal ?? []));
            }
            return (mark, zones);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or IOException or FormatException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            problem = e.Message;
            return null;
        }
    }

    private void Write(string name, byte[] body)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, name);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            stream.Write(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(body)) + "\n"));
            stream.Write(body);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static byte[] Read(string path)
    {
        var content = File.ReadAllBytes(path);
        var newline = Array.IndexOf(content, (byte)'\n');
        if (newline != 64) throw new InvalidDataException($"{path}: no checksum line");
        var body = content[(newline + 1)..];
        if (Encoding.ASCII.GetString(content, 0, 64) != Convert.ToHexStringLower(SHA256.HashData(body)))
            throw new InvalidDataException($"{path}: checksum mismatch");
        return body;
    }
}
