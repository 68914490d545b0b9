using Microsoft.Extensions.Configuration;

namespace Edgeplane.Plugins.Rollouts.Domain.Deployments;

/// <summary><c>Edgeplane:Plugins:rollouts:Deployments:*</c>.</summary>
public sealed class DeploymentOptions
{
    /// <summary>How often the orchestrator looks at running rollouts (<c>Deployments:Interval</c>).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Where rollout events are also POSTed as JSON (<c>Deployments:WebhookUrl</c>); none by default.</summary>
    public Uri? WebhookUrl { get; init; }
    /// <summary>A device that reported no progress for this long no longer holds its phase back (<c>Deployments:InstallTimeout</c>).</summary>
    public TimeSpan InstallTimeout { get; init; } = TimeSpan.FromMinutes(30);

    public static DeploymentOptions From(IConfiguration section) => new()
    {
        Interval = section.GetValue("Deployments:Interval", TimeSpan.FromSeconds(5)),
        WebhookUrl = section["Deployments:WebhookUrl"] is { Length: > 0 } url ? new Uri(url) : null,
        InstallTimeout = section.GetValue("Deployments:InstallTimeout", TimeSpan.FromMinutes(30)),
    };
}
