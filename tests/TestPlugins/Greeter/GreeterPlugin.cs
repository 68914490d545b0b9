using Edgeplane.Abstractions.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.TestPlugins.Greeter;

public sealed class GreeterPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        builder.Services.AddSingleton(new Salutation(builder.Configuration["Salutation"] ?? "Hello"));
        builder.Services.AddSingleton(new Folder(builder.DataDirectory));
    }
}

public sealed record Salutation(string Word);

/// <summary>The plugin's own data directory, as the host gave it.</summary>
public sealed record Folder(string Path);
