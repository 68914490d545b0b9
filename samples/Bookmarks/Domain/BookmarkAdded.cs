using Edgeplane.Abstractions.Events;

namespace Acme.Bookmarks.Domain;

/// <summary>Published when a bookmark is added; any plugin may handle it with an <c>IEventHandler&lt;BookmarkAdded&gt;</c>.</summary>
public sealed record BookmarkAdded(string Id, string Url) : IEventData
{
    public static string Type => "bookmarks.added";
}
