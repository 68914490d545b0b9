using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace Edgeplane.Plugins.Rollouts.Tests.Reports;

/// <summary>Just enough PNG for the tests: write an RGB image (a logo) and read pdftoppm's 8-bit RGB output back.</summary>
public sealed class Png(int width, int height, byte[] rgb)
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    public byte[] Rgb { get; } = rgb;

    public (byte R, byte G, byte B) this[int x, int y] => (Rgb[(y * Width + x) * 3], Rgb[(y * Width + x) * 3 + 1], Rgb[(y * Width + x) * 3 + 2]);

    public static byte[] Solid(int width, int height, (byte R, byte G, byte B) color)
    {
        var rgb = new byte[width * height * 3];
        for (var i = 0; i < width * height; i++) (rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]) = color;
        return Encode(width, height, rgb);
    }

    public static byte[] Encode(int width, int height, byte[] rgb)
    {
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (var y = 0; y < height; y++)
            {
                z.WriteByte(0);
                z.Write(rgb, y * width * 3, width * 3);
            }
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; header[9] = 2; // 8-bit RGB
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(len, Crc(typed));
        s.Write(len);
    }

    private static uint Crc(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Decodes a non-interlaced 8-bit RGB or RGBA PNG (what pdftoppm -png writes).</summary>
    public static Png Decode(byte[] png)
    {
        var pos = 8;
        int width = 0, height = 0, channels = 3;
        using var idat = new MemoryStream();
        while (pos < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            var type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                if (data[8] != 8 || data[12] != 0 || data[9] is not (2 or 6)) throw new NotSupportedException($"PNG depth {data[8]} color type {data[9]} interlace {data[12]}");
                channels = data[9] == 6 ? 4 : 3;
            }
            else if (type == "IDAT") idat.Write(data);
            pos += 12 + length;
        }
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        var stride = width * channels;
        var raw = new byte[(stride + 1) * height];
        z.ReadExactly(raw);
        var pixels = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            for (var x = 0; x < stride; x++)
            {
                int a = x >= channels ? pixels[y * stride + x - channels] : 0;
                int b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
                int c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
                int v = raw[y * (stride + 1) + 1 + x];
                v += filter switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new NotSupportedException("filter " + filter),
                };
                pixels[y * stride + x] = (byte)v;
            }
        }
        var rgb = channels == 3 ? pixels : Enumerable.Range(0, width * height).SelectMany(i => new[] { pixels[i * 4], pixels[i * 4 + 1], pixels[i * 4 + 2] }).ToArray();
        return new Png(width, height, rgb);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    public int Count(Func<(byte R, byte G, byte B), bool> predicate)
    {
        var n = 0;
        for (var i = 0; i < Width * Height; i++)
            if (predicate((Rgb[i * 3], Rgb[i * 3 + 1], Rgb[i * 3 + 2]))) n++;
        return n;
    }

    public static bool Near((byte R, byte G, byte B) a, (byte R, byte G, byte B) b, int tolerance = 8) =>
        Math.Abs(a.R - b.R) <= tolerance && Math.Abs(a.G - b.G) <= tolerance && Math.Abs(a.B - b.B) <= tolerance;
}

/// <summary>Poppler's command-line tools (Debian poppler-utils): a PDF page to PNG, and its text.</summary>
public static class Poppler
{
    public static bool Available => File.Exists("/usr/bin/pdftoppm") && File.Exists("/usr/bin/pdftotext");

    public static async Task<Png> RenderAsync(byte[] pdf, string directory, int page = 1, int dpi = 50)
    {
        Directory.CreateDirectory(directory);
        var input = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".pdf");
        await File.WriteAllBytesAsync(input, pdf);
        var prefix = Path.ChangeExtension(input, null);
        await RunAsync("pdftoppm", ["-png", "-r", dpi.ToString(), "-f", page.ToString(), "-l", page.ToString(), "-singlefile", input, prefix]);
        return Png.Decode(await File.ReadAllBytesAsync(prefix + ".png"));
    }

    public static async Task<string> TextAsync(byte[] pdf, string directory)
    {
        Directory.CreateDirectory(directory);
        var input = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".pdf");
        await File.WriteAllBytesAsync(input, pdf);
        await RunAsync("pdftotext", ["-layout", input, input + ".txt"]);
        return await File.ReadAllTextAsync(input + ".txt");
    }

    public static async Task<int> PagesAsync(byte[] pdf, string directory)
    {
        Directory.CreateDirectory(directory);
        var input = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".pdf");
        await File.WriteAllBytesAsync(input, pdf);
        var output = await RunAsync("pdfinfo", [input]);
        var line = output.Split('\n').First(l => l.StartsWith("Pages:", StringComparison.Ordinal));
        return int.Parse(line["Pages:".Length..].Trim());
    }

    private static async Task<string> RunAsync(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
