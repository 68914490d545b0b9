using Acme.Widgets.Data;
using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Abstractions.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Widgets;

/// <summary>The plugin's entry point: registers its services. Routes (Api/) and migrations (Migrations/) are found by convention.</summary>
public sealed class WidgetsPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        builder.Services.AddSingleton<WidgetStore>();
        builder.Services.AddSingleton<IEventHandler<TeamDeleted>, TeamWidgetsCleanup>();
    }
}
