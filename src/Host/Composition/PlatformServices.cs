using Edgeplane.Abstractions.Auditing;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Jobs;
using Edgeplane.Abstractions.Security;
using Edgeplane.Host.Auditing;
using Edgeplane.Host.Data;
using Edgeplane.Host.Events;
using Edgeplane.Host.Identity;
using Edgeplane.Host.Jobs;
using Edgeplane.Host.Plugins;
using Edgeplane.Host.Webhooks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Edgeplane.Host.Composition;

/// <summary>The services the host gives every plugin (through SDK interfaces) and uses itself.</summary>
public static class PlatformServices
{
    public static void AddEdgeplanePlatform(this WebApplicationBuilder builder, EdgeplaneOptions options, IReadOnlyList<PluginEntry> plugins)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        var active = plugins.Where(p => p.IsLive && p.Manifest is not null).Select(p => p.Manifest!).ToList();

        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();

        // Data
        services.AddSingleton(DatabaseOptions.From(configuration, options.DataDirectory));
        services.AddSingleton<DataMetrics>();
        services.AddSingleton(sp => new DbConnectionFactory(sp.GetRequiredService<DatabaseOptions>(), sp.GetRequiredService<DataMetrics>(),
            CallingPlugin(sp.GetRequiredService<IHttpContextAccessor>())));
        services.AddSingleton<IDbConnectionFactory>(sp => sp.GetRequiredService<DbConnectionFactory>());
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<ILeaseManager, LeaseManager>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");

        // Identity and access
        services.AddSingleton(new PermissionRegistry(active.SelectMany(m => m.Permissions)));
        services.AddSingleton(new CredentialHeaders(active.SelectMany(m => m.CredentialHeaders)));
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<CredentialStore>();
        services.AddSingleton(new FailedAttempts(configuration.GetValue("Edgeplane:Security:FailedAttemptsPerMinute", 20)));
        services.AddSingleton(sp => new LoginThrottle(configuration.GetValue("Edgeplane:Security:LoginAttemptsPerMinute", 10),
            sp.GetRequiredService<FailedAttempts>(), sp.GetRequiredService<IHttpContextAccessor>()));
        services.AddSingleton<IdentityService>();
        services.AddSingleton<IIdentityService, PluginIdentityService>();
        services.AddExceptionHandler<IdentityExceptionHandler>();
        services.AddSingleton<TeamService>();
        services.AddSingleton<ITeamService>(sp => sp.GetRequiredService<TeamService>());
        services.AddSingleton<SessionService>();
        services.AddSingleton<ISessionService>(sp => sp.GetRequiredService<SessionService>());
        services.AddSingleton<Bootstrap>();
        services.AddSingleton<CredentialAuthenticator>();
        services.AddSingleton<ICaller, Caller>(); // reads the current request through IHttpContextAccessor
        // No authentication scheme: CredentialMiddleware authenticates each request once, and
        // ProblemAuthorizationResultHandler answers 401 and 403. (With a scheme registered, WebApplication adds an
        // AuthenticationMiddleware of its own at the front of the pipeline: 2.5% of a request's CPU, for nothing.)
        services.AddAuthorization();
        services.AddSingleton<IAuthorizationHandler, PermissionHandler>();
        services.AddSingleton<IAuthorizationHandler, SessionHandler>();
        services.AddSingleton<IAuthorizationHandler, HostAdminHandler>();
        // The authorization services are stateless: one instance each instead of a new graph per request.
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationHandlerProvider, DefaultAuthorizationHandlerProvider>());
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationHandlerContextFactory, DefaultAuthorizationHandlerContextFactory>());
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationEvaluator, DefaultAuthorizationEvaluator>());
        services.Replace(ServiceDescriptor.Singleton<IAuthorizationService, DefaultAuthorizationService>());
        services.Replace(ServiceDescriptor.Singleton<IPolicyEvaluator, PolicyEvaluator>());
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

        // Audit and events
        services.AddSingleton<AuditWriter>();
        services.AddScoped<AuditLog>();
        services.AddScoped<IAuditLog>(sp => sp.GetRequiredService<AuditLog>());
        services.AddSingleton<IAuditTrail, AuditTrail>();
        services.AddSingleton<IEventPublisher, InProcessEventPublisher>();
        services.AddEdgeplaneWebhooks(configuration, options.DataDirectory);
    }

    /// <summary>The plugin whose route the current request runs (for the data layer's metrics), or null for the host's.</summary>
    private static Func<string?> CallingPlugin(IHttpContextAccessor requests) =>
        () => requests.HttpContext?.GetEndpoint()?.Metadata.GetMetadata<PluginEndpointMetadata>()?.PluginId;

    public static void UseEdgeplanePlatform(this WebApplication app)
    {
        app.UseMiddleware<CredentialMiddleware>();
        app.UseMiddleware<AuditMiddleware>();
        app.UseMiddleware<CsrfMiddleware>();
        app.UseAuthorization();
    }
}
