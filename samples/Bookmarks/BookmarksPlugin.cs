using Acme.Bookmarks.Data;
using Acme.Bookmarks.Domain;
using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Abstractions.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Bookmarks;

/// <summary>The plugin's entry point: registers its services. Routes (Api/) and migrations (Migrations/) are found by convention.</summary>
public sealed class BookmarksPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        builder.Services.AddSingleton<BookmarkStore>();
        builder.Services.AddSingleton<BookmarkMetrics>();
        builder.Services.AddSingleton<IEventHandler<TeamDeleted>, TeamBookmarksCleanup>();
    }
}
