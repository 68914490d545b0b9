using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Abstractions.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Bookmarks;

/// <summary>The plugin's entry point: registers its services. Routes and migrations are found by convention.</summary>
public sealed class BookmarksPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        builder.Services.AddSingleton<BookmarkStore>();
        builder.Services.AddSingleton<BookmarkMetrics>();
        builder.Services.AddSingleton<IEventHandler<TeamDeleted>, TeamBookmarksCleanup>();
    }
}
