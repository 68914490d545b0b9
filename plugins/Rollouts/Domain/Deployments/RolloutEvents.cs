using System.Net.Http.Json;
using Edgeplane.Abstractions.Events;
using Edgeplane.Plugins.Rollouts.Data.Deployments;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Rollouts.Domain.Deployments;

/// <summary>Publishes rollout events: the rollout's timeline, <see cref="IEventPublisher"/>, and the optional webhook.</summary>
public sealed class RolloutEvents(DeploymentStore store, IEventPublisher publisher, DeploymentOptions options, TimeProvider clock,
    ILogger<RolloutEvents> logger)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Publishes an event; <paramref name="recorded"/> when the caller already wrote it to the timeline in its transaction.</summary>
    public async Task PublishAsync<TData>(RolloutRow rollout, TData data, bool recorded = false) where TData : IEventData
    {
        var type = TData.Type;
        if (!recorded) await store.AddEventAsync(rollout, data);
        await publisher.PublishAsync(data, rollout.TeamId);
        if (options.WebhookUrl is { Length: > 0 } url)
        {
            try
            {
                using var response = await Http.PostAsJsonAsync(url, new { type, teamId = rollout.TeamId, occurredAt = clock.GetUtcNow(), data }, Json.Options);
                if (!response.IsSuccessStatusCode) logger.LogWarning("Webhook {Url} answered {Status} to {Type}", url, (int)response.StatusCode, type);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                logger.LogWarning(e, "Webhook {Url} failed for {Type}", url, type);
            }
        }
    }
}
