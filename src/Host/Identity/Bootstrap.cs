using Edgeplane.Abstractions.Security;

namespace Edgeplane.Host.Identity;

/// <summary>
/// First run: when no user exists, creates the host admin <c>admin</c>. Its API key (a host-admin key) comes from
/// <c>Edgeplane:Bootstrap:AdminApiKey</c> (at least 32 characters) or is generated and printed once.
/// <c>Edgeplane:Bootstrap:AdminPassword</c>, if given, lets it sign in for session-only work. Never a default password.
/// </summary>
public sealed class Bootstrap(IdentityService identity, IConfiguration configuration, ILogger<Bootstrap> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (await identity.CountUsersAsync(cancellationToken) > 0) return;
        var configuredKey = configuration["Edgeplane:Bootstrap:AdminApiKey"];
        if (configuredKey is not null && configuredKey.Length < 32)
            throw new InvalidOperationException("Edgeplane:Bootstrap:AdminApiKey must be at least 32 characters");
        var password = configuration["Edgeplane:Bootstrap:AdminPassword"];
        if (password is not null && PasswordHasher.Problem(password) is { } problem)
            throw new InvalidOperationException($"Edgeplane:Bootstrap:AdminPassword {problem}");

        UserInfo user;
        try
        {
            user = await identity.CreateUserAsync("admin", password is null ? null : PasswordHasher.Hash(password), null, isHostAdmin: true, cancellationToken);
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
}
