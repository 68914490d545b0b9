namespace Edgeplane.Abstractions.Security;

/// <summary>
/// The host's teams, for plugins whose API document renames or deletes the team a credential is bound to.
/// Deleting a team publishes the <see cref="TeamDeleted"/> event so every plugin can drop the team's data.
/// </summary>
public interface ITeamService
{
    Task<TeamInfo?> FindAsync(string teamId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Renames a team; null when there is no such team. Throws <see cref="IdentityValidationException"/>
    /// for a bad name, with <see cref="IdentityValidationException.IsConflict"/> when another team has it.
    /// </summary>
    Task<TeamInfo?> RenameAsync(string teamId, string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a team with its memberships, sessions and API keys; false when there is no such team.
    /// A user's personal team cannot be deleted (<see cref="IdentityValidationException"/>, a conflict).
    /// </summary>
    Task<bool> DeleteAsync(string teamId, CancellationToken cancellationToken = default);
}

public sealed record TeamInfo(string Id, string Name, string? OrganizationId, DateTimeOffset CreatedAt);

