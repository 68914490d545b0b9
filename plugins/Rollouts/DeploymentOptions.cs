namespace Edgeplane.Plugins.Rollouts;

/// <summary><c>Edgeplane:Plugins:rollouts:Deployments:*</c>.</summary>
public sealed class DeploymentOptions
{
    /// <summary>How often the orchestrator looks at running rollouts (<c>Deployments:Interval</c>).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Where rollout events are also POSTed as JSON (<c>Deployments:WebhookUrl</c>); none by default.</summary>
    public string? WebhookUrl { get; set; }
    /// <summary>A device that reported no progress for this long no longer holds its phase back (<c>Deployments:InstallTimeout</c>).</summary>
    public TimeSpan InstallTimeout { get; set; } = TimeSpan.FromMinutes(30);
}
