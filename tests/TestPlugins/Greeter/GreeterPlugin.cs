using Edgeplane.Abstractions.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.TestPlugins.Greeter;

public sealed class GreeterPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder) =>
        builder.Services.AddSingleton(new Salutation(builder.Configuration["Salutation"] ?? "Hello"));
}

public sealed record Salutation(string Word);
