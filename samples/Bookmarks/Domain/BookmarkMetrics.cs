using System.Diagnostics.Metrics;

namespace Acme.Bookmarks.Domain;

/// <summary>The plugin's own instruments; the host exports them on /metrics.</summary>
public sealed class BookmarkMetrics
{
    private readonly Counter<long> _created;

    public BookmarkMetrics(IMeterFactory meters) =>
        _created = meters.Create("Acme.Bookmarks").CreateCounter<long>("bookmarks.created", description: "Bookmarks added");

    public void Created() => _created.Add(1);
}
