using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Edgeplane.Host.Data;

/// <summary>One embedded migration script: <c>Migrations/0001_create_things.sql</c>.</summary>
public sealed partial record Migration(int Version, string Name, string Script)
{
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Script)));

    /// <summary>The ordered migrations embedded in an assembly (resources named <c>*.Migrations.NNNN_name.sql</c>).</summary>
    public static IReadOnlyList<Migration> From(Assembly assembly)
    {
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(resource);
            if (!match.Success) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(int.Parse(match.Groups["version"].Value), match.Groups["name"].Value, reader.ReadToEnd()));
        }
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"two migrations have version {duplicate.Key}: {string.Join(", ", duplicate.Select(m => m.Name))}");
        return migrations.OrderBy(m => m.Version).ToList();
    }

    [GeneratedRegex(@"\.Migrations\.(?<name>(?<version>\d+)_[A-Za-z0-9_\-]+\.sql)$")]
    private static partial Regex ResourceName();
}
