using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Abstractions.Routing;

/// <summary>
/// Carter's module contract: a class that maps a group of minimal-API routes. The host finds
/// every implementation in a plugin's entry assembly and calls it with the plugin's route group,
/// so paths are written as the plugin's API document states them, without the mount prefix.
/// Moving to the Carter package later is a rename of this interface.
/// </summary>
public interface ICarterModule
{
    /// <summary>Maps the module's routes.</summary>
    void AddRoutes(IEndpointRouteBuilder app);
}
