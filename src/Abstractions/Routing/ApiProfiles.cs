using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Edgeplane.Abstractions.Routing;

/// <summary>
/// The wire contract a mount serves. <see cref="Native"/> is Edgeplane's API; <see cref="Seed"/> is the original
/// product's, exactly (paths, status codes, response shapes), for clients written against it. An operator picks
/// one per mount (<c>Edgeplane:Plugins:{id}:Mounts:N:Profile</c>); a plugin lists the profiles beyond
/// <c>native</c> it provides in <c>plugin.json</c> (<c>"profiles": ["seed"]</c>).
/// </summary>
public static class ApiProfiles
{
    public const string Native = "native";
    public const string Seed = "seed";

    /// <summary>The profile of the mount serving this request.</summary>
    public static string ApiProfile(this HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<ApiProfileMetadata>()?.Profile ?? Native;

    /// <summary>Whether this request came through a mount with the <see cref="Seed"/> profile.</summary>
    public static bool IsSeedProfile(this HttpContext http) => http.ApiProfile() == Seed;

    /// <summary>Serves the route only on mounts with one of <paramref name="profiles"/> (a route of the original product alone, say).</summary>
    public static TBuilder ForProfiles<TBuilder>(this TBuilder builder, params string[] profiles) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProfileRouteMetadata(profiles));
}

/// <summary>On every plugin endpoint: the profile of the mount it is mapped for (set by the host).</summary>
public sealed record ApiProfileMetadata(string Profile);

/// <summary>Limits a route to mounts with one of these profiles (see <see cref="ApiProfiles.ForProfiles{TBuilder}"/>).</summary>
public sealed record ProfileRouteMetadata(IReadOnlyList<string> Profiles);
