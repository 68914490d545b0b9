using Edgeplane.Abstractions.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.TestPlugins.Crashing;

public sealed class CrashingPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        builder.Services.AddSingleton(new CrashTrigger(builder.Configuration.GetValue<bool>("FailAtStart"), builder.Configuration.GetValue<bool>("UnbindableRoute")));
        builder.Services.AddHostedService<Worker>();
        if (builder.Configuration.GetValue<int?>("EarlyPort") is { } port)
        {
            var early = new EarlyListener(port);
            if (!builder.StartEarly(early)) builder.Services.AddHostedService(_ => early);
        }
    }
}

/// <summary>
/// How the plugin breaks: its worker fails at once when it starts, or when <c>POST /crash</c> pulls the trigger;
/// with <c>UnbindableRoute</c> it maps a route whose handler the framework cannot bind.
/// </summary>
public sealed class CrashTrigger(bool failAtStart, bool unbindableRoute)
{
    private readonly TaskCompletionSource _pulled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool FailAtStart { get; } = failAtStart;
    public bool UnbindableRoute { get; } = unbindableRoute;
    public Task Pulled => _pulled.Task;

    public void Pull() => _pulled.TrySetResult();
}
