using Edgeplane.Abstractions.Webhooks;

namespace Edgeplane.Host.Webhooks;

/// <summary>Registers the SDK's <see cref="IWebhookSender"/> and its delivery worker.</summary>
public static class WebhookServices
{
    /// <summary>Needs <c>DbConnectionFactory</c>, <c>ILeaseManager</c>, <c>IMeterFactory</c> and <c>TimeProvider</c> registered.</summary>
    public static IServiceCollection AddEdgeplaneWebhooks(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        services.AddSingleton(WebhookOptions.From(configuration, dataDirectory));
        services.AddSingleton<WebhookSecretProtector>();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookMetrics>();
        services.AddSingleton<WebhookWakeup>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<IWebhookSender>(sp => sp.GetRequiredService<WebhookSender>());
        services.AddHostedService<WebhookDeliveryWorker>();
        return services;
    }
}
