namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>How the seed's string fields are read: trimmed, and blank is the same as absent.</summary>
public static class Text
{
    public static string? Clean(this string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
