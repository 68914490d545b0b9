using System.Buffers.Binary;
using System.Text;

namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// The served view persisted in the plugin's data directory, so that a restart answers at once: one binary file,
/// <c>view.snapshot</c>, read in one sequential read. It starts with the CRC-32C of the rest (<see cref="Crc32C"/>), then holds the change
/// feed position the view includes and the feed's last row at or before it (to recognise the database), then every
/// zone: its id, name, serial, the feed position it includes, records in wire form (<see cref="WireRecords"/>) and IXFR journal
/// (a file of an earlier version is not used: every zone is loaded from the database instead). It is written to a
/// temporary file, flushed to disk and renamed, so a reader sees the old view or the new one.
/// </summary>
public sealed class ViewSnapshot(string directory, Func<string, string, long, long, byte[], IReadOnlyList<ZoneDelta>, ZoneSnapshot> build)
{
    private const string FileName = "view.snapshot";
    // 3: the checksum is a CRC-32C (version 2 had a SHA-256).
    private const int Version = 3;
    private const int ChecksumLength = sizeof(uint);
    private Task<Loaded>? _preloaded;

    public string Directory { get; } = directory;

    /// <summary>The position a snapshot includes, and the feed's last row at or before it (null when the feed was empty).</summary>
    public sealed record Mark(long Position, long? ChangePosition, string? ChangeZoneId);

    /// <summary>What a read found: the mark and zones, or the reason there are none.</summary>
    public sealed record Loaded(Mark? Mark, IReadOnlyList<ZoneSnapshot> Zones, string? Problem, long ReadMilliseconds = 0);

    /// <summary>Starts reading the snapshot in the background (while the host is still starting); <see cref="LoadAsync"/> takes the result.</summary>
    public Task<Loaded> Preload() => _preloaded ??= Task.Run(Load);

    /// <summary>The snapshot read by <see cref="Preload"/>, or read now; each zone's lookup tables are built at its first use.</summary>
    public Task<Loaded> LoadAsync()
    {
        var loading = _preloaded ?? Task.Run(Load);
        _preloaded = null;
        return loading;
    }

    private Loaded Load()
    {
        var path = Path.Combine(Directory, FileName);
        if (!File.Exists(path)) return new Loaded(null, [], "no snapshot");
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            // Read as a stream through its checksum, not into one array of the file's size: at a restart such an array
            // (megabytes, in the large object heap) set off a full garbage collection while the host was starting.
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            Span<byte> checksum = stackalloc byte[ChecksumLength];
            file.ReadExactly(checksum);
            var content = new Crc32C.Reading(file, file.Length - ChecksumLength);
            using var reader = new BinaryReader(content, Encoding.UTF8);
            if (reader.ReadInt32() != Version) throw new InvalidDataException($"{path}: another version");
            var position = reader.ReadInt64();
            var mark = reader.ReadBoolean() ? new Mark(position, reader.ReadInt64(), reader.ReadString()) : new Mark(position, null, null);
            // Counts and lengths are checked against what is left of the file: the checksum is known only at its end.
            var stored = new (string Id, string Name, long Serial, long Position, byte[] Records, ZoneDelta[] Journal)[Count(reader, content)];
            for (var i = 0; i < stored.Length; i++)
            {
                stored[i] = (reader.ReadString(), reader.ReadString(), reader.ReadInt64(), reader.ReadInt64(), Bytes(reader, content), new ZoneDelta[Count(reader, content)]);
                for (var j = 0; j < stored[i].Journal.Length; j++)
                    stored[i].Journal[j] = new ZoneDelta(reader.ReadInt64(), reader.ReadInt64(), Bytes(reader, content), Bytes(reader, content));
            }
            if (content.Remaining != 0) throw new InvalidDataException($"{path}: data after the last zone");
            if (content.Value != BinaryPrimitives.ReadUInt32LittleEndian(checksum)) throw new InvalidDataException($"{path}: checksum mismatch");
            var zones = new ZoneSnapshot[stored.Length];
            for (var i = 0; i < stored.Length; i++)
            {
                // Each record must be whole: the zone's lookup tables are built from them only at its first query.
                foreach (var _ in WireRecords.Each(stored[i].Records)) { }
                zones[i] = build(stored[i].Id, stored[i].Name, stored[i].Serial, stored[i].Position, stored[i].Records, stored[i].Journal);
            }
            return new Loaded(mark, zones, null, started.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or FormatException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException or UnauthorizedAccessException)
        {
            return new Loaded(null, [], e.Message);
        }
    }

    /// <summary>A count of entries, each at least a byte long, so no more than the bytes left.</summary>
    private static int Count(BinaryReader reader, Crc32C.Reading content)
    {
        var count = reader.ReadInt32();
        return count >= 0 && count <= content.Remaining ? count : throw new InvalidDataException($"the snapshot holds a count of {count} with {content.Remaining} bytes left");
    }

    private static byte[] Bytes(BinaryReader reader, Crc32C.Reading content)
    {
        var length = Count(reader, content);
        var bytes = reader.ReadBytes(length);
        return bytes.Length == length ? bytes : throw new EndOfStreamException("the snapshot ends inside a zone");
    }

    /// <summary>
    /// Writes <paramref name="zones"/> with the <paramref name="mark"/> they include, replacing the previous snapshot. The
    /// content streams to the temporary file through the checksum (its place at the start is filled in last), so the file
    /// is never held in memory whole.
    /// </summary>
    public void Write(Mark mark, IEnumerable<ZoneSnapshot> zones)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, FileName);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1))
        {
            file.Write(new byte[ChecksumLength]);
            var checksummed = new Crc32C.Writing(file);
            using (var buffered = new BufferedStream(checksummed, 1 << 16))
            using (var writer = new BinaryWriter(buffered, Encoding.UTF8, leaveOpen: true))
                WriteBody(writer, mark, zones);
            file.Position = 0;
            Span<byte> checksum = stackalloc byte[ChecksumLength];
            BinaryPrimitives.WriteUInt32LittleEndian(checksum, checksummed.Value);
            file.Write(checksum);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        // The per-zone files an earlier version wrote.
        foreach (var old in System.IO.Directory.EnumerateFiles(Directory, "*.json")) File.Delete(old);
    }

    private static void WriteBody(BinaryWriter writer, Mark mark, IEnumerable<ZoneSnapshot> zones)
    {
        writer.Write(Version);
        writer.Write(mark.Position);
        writer.Write(mark.ChangePosition is not null);
        if (mark.ChangePosition is { } changePosition)
        {
            writer.Write(changePosition);
            writer.Write(mark.ChangeZoneId ?? "");
        }
        var list = zones as IReadOnlyCollection<ZoneSnapshot> ?? zones.ToList();
        writer.Write(list.Count);
        foreach (var zone in list)
        {
            writer.Write(zone.Id);
            writer.Write(zone.Name);
            writer.Write(zone.Soa.Serial);
            writer.Write(zone.Position);
            Write(writer, zone.Records());
            writer.Write(zone.Journal.Count);
            foreach (var delta in zone.Journal)
            {
                writer.Write(delta.OldSerial);
                writer.Write(delta.Serial);
                Write(writer, delta.Removed);
                Write(writer, delta.Added);
            }
        }
    }

    private static void Write(BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }
}
