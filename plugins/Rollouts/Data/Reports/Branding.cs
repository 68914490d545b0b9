using System.Globalization;
using Dapper;

namespace Edgeplane.Plugins.Rollouts.Data.Reports;

/// <summary>A team's report branding: the name on every report, a logo (PNG or JPEG) and two colours.</summary>
public sealed class Branding
{
    public const string DefaultName = "Edgeplane";
    public const string DefaultPrimary = "#1F4E79";
    public const string DefaultAccent = "#F39C12";

    public string Name { get; init; } = DefaultName;
    public string PrimaryColor { get; init; } = DefaultPrimary;
    public string AccentColor { get; init; } = DefaultAccent;
    public byte[]? Logo { get; init; }
    public string? LogoContentType { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    public (byte R, byte G, byte B) Primary => Rgb(PrimaryColor);
    public (byte R, byte G, byte B) Accent => Rgb(AccentColor);

    /// <summary><c>#RRGGBB</c> (case-insensitive).</summary>
    public static bool IsColor(string? value) =>
        value is { Length: 7 } && value[0] == '#' && value.Skip(1).All(char.IsAsciiHexDigit);

    public static (byte R, byte G, byte B) Rgb(string color) =>
        (byte.Parse(color.AsSpan(1, 2), NumberStyles.HexNumber), byte.Parse(color.AsSpan(3, 2), NumberStyles.HexNumber), byte.Parse(color.AsSpan(5, 2), NumberStyles.HexNumber));

    /// <summary>Black or white, whichever reads better on <paramref name="background"/>.</summary>
    public static (byte R, byte G, byte B) Contrast((byte R, byte G, byte B) background) =>
        0.299 * background.R + 0.587 * background.G + 0.114 * background.B > 150 ? ((byte)0, (byte)0, (byte)0) : ((byte)255, (byte)255, (byte)255);

    /// <summary>The image type from its first bytes: PNG or JPEG, else null.</summary>
    public static string? SniffImage(ReadOnlySpan<byte> data) =>
        data.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? "image/png"
        : data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "image/jpeg"
        : null;
}

public sealed record BrandingView(string Name, string PrimaryColor, string AccentColor, bool HasLogo, string? LogoContentType, int? LogoBytes, DateTimeOffset? UpdatedAt)
{
    public static BrandingView From(Branding b) => new(b.Name, b.PrimaryColor, b.AccentColor, b.Logo is not null, b.LogoContentType, b.Logo?.Length, b.UpdatedAt);
}

/// <summary>Branding per team, one row; a team without one gets the defaults.</summary>
public sealed class BrandingStore(IDbConnectionFactory db)
{
    public async Task<Branding> GetAsync(string teamId)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<Branding>(
            "SELECT name AS Name, primary_color AS PrimaryColor, accent_color AS AccentColor, logo AS Logo, logo_content_type AS LogoContentType, updated_at AS UpdatedAt " +
            "FROM rollouts_branding WHERE team_id = @teamId", new { teamId }) ?? new Branding();
    }

    /// <summary>Writes the whole row (insert or update) in one transaction.</summary>
    public async Task SaveAsync(string teamId, Branding branding)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var args = new { teamId, branding.Name, branding.PrimaryColor, branding.AccentColor, branding.Logo, branding.LogoContentType, branding.UpdatedAt };
        var updated = await connection.ExecuteAsync(
            "UPDATE rollouts_branding SET name = @Name, primary_color = @PrimaryColor, accent_color = @AccentColor, logo = @Logo, logo_content_type = @LogoContentType, " +
            "updated_at = @UpdatedAt WHERE team_id = @teamId", args, tx);
        if (updated == 0)
            await connection.ExecuteAsync(
                "INSERT INTO rollouts_branding (team_id, name, primary_color, accent_color, logo, logo_content_type, updated_at) " +
                "VALUES (@teamId, @Name, @PrimaryColor, @AccentColor, @Logo, @LogoContentType, @UpdatedAt)", args, tx);
        await tx.CommitAsync();
    }
}
