using Edgeplane.Abstractions.Security;

namespace Edgeplane.Host.Identity;

/// <summary>
/// First run: when no user exists, creates the host admin <c>admin</c>. Its API key (a host-admin key) comes from
/// <c>Edgeplane:Bootstrap:AdminApiKey</c> (at least 32 characters) or is generated and printed once.
/// <c>Edgeplane:Bootstrap:AdminPassword</c>, if given, lets it sign in for session-only work. Never a default password.
/// After the first run the password setting still applies while <c>admin</c> has no password (an operator who
/// started with a key only); once it has one, the setting is refused with a warning at every start, never silently
/// ignored (a password is changed with <c>POST /api/v1/auth/password</c>, which ends the user's sessions).
/// </summary>
public sealed class Bootstrap(IdentityService identity, IConfiguration configuration, ILogger<Bootstrap> logger)
{
    private const string AdminName = "admin";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var password = configuration["Edgeplane:Bootstrap:AdminPassword"] is { Length: > 0 } configured ? configured : null;
        if (password is not null && PasswordHasher.Problem(password) is { } problem)
            throw new InvalidOperationException($"Edgeplane:Bootstrap:AdminPassword {problem}");
        if (await identity.CountUsersAsync(cancellationToken) > 0)
        {
            if (password is not null) await ApplyLaterAsync(password, cancellationToken);
            return;
        }
        var configuredKey = configuration["Edgeplane:Bootstrap:AdminApiKey"];
        if (configuredKey is not null && configuredKey.Length < 32)
            throw new InvalidOperationException("Edgeplane:Bootstrap:AdminApiKey must be at least 32 characters");

        UserInfo user;
        try
        {
            user = await identity.CreateUserAsync(AdminName, password is null ? null : PasswordHasher.Hash(password), null, isHostAdmin: true, cancellationToken);
        }
        catch (IdentityValidationException)
        {
            return; // another host instance sharing the database bootstrapped at the same moment
        }
        var key = await identity.StoreApiKeyAsync(configuredKey ?? Secrets.Generate(IdentityService.KeyPrefix), user.Id, user.PersonalTeamId, Roles.Admin, "bootstrap", null, hostAdmin: true, cancellationToken);
        if (configuredKey is null)
            Console.WriteLine($"""

                Edgeplane first run: created host admin 'admin'. Its API key, shown only this once:

                    {key.Plaintext}

                Use it as 'Authorization: Bearer <key>'.

                """);
        logger.LogWarning("First run: created host admin 'admin' (user {UserId})", user.Id);
    }

    /// <summary>The password setting after the first run: applied while the admin has none, refused loudly otherwise.</summary>
    private async Task ApplyLaterAsync(string password, CancellationToken cancellationToken)
    {
        var admin = await identity.FindUserAsync(AdminName, cancellationToken);
        if (admin is null)
        {
            logger.LogWarning("Edgeplane:Bootstrap:AdminPassword is set, but there is no user '{Admin}': the setting is refused (it applies to the first admin only)", AdminName);
            return;
        }
        if (await identity.HasPasswordAsync(admin.Id, cancellationToken))
        {
            logger.LogWarning("Edgeplane:Bootstrap:AdminPassword is set, but user '{Admin}' already has a password: the setting is refused. " +
                "Change the password with POST /api/v1/auth/password, then remove the setting", AdminName);
            return;
        }
        await identity.SetPasswordAsync(admin.Id, password, cancellationToken);
        logger.LogWarning("Edgeplane:Bootstrap:AdminPassword applied: user '{Admin}' had no password and now has the configured one; remove the setting", AdminName);
    }
}
