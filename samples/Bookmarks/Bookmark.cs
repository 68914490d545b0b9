namespace Acme.Bookmarks;

public sealed class Bookmark
{
    public string Id { get; set; } = "";
    public string Url { get; set; } = "";
    public string Title { get; set; } = "";
    public string Notes { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed record NewBookmark(string? Url, string? Title, string? Notes);

public sealed record BookmarkView(string Id, string Url, string Title, string Notes, string NotesHtml, DateTimeOffset CreatedAt);
