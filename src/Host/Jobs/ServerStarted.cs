using Microsoft.Extensions.Hosting;

namespace Edgeplane.Host.Jobs;

/// <summary>
/// Background work starts once the server listens: it then does not compete with the server's own start
/// for the CPU. Hosted services start before the server (ASP.NET Core starts it last).
/// </summary>
public static class ServerStarted
{
    /// <summary>Completes with <c>true</c> once the host has started, or <c>false</c> if it stops first.</summary>
    public static async Task<bool> WhenServerStartedAsync(this IHostApplicationLifetime lifetime)
    {
        var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult(true));
        await using var onStopping = lifetime.ApplicationStopping.Register(() => started.TrySetResult(false));
        return await started.Task;
    }
}
