using Edgeplane.Abstractions.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.TestPlugins.Throwing;

public sealed class ThrowingPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        builder.Services.AddSingleton<IServiceProvider>(_ => throw new InvalidOperationException("must never be registered"));
        throw new InvalidOperationException("the throwing plugin refuses to register");
    }
}
