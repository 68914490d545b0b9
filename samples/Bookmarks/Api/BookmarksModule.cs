using Acme.Bookmarks.Data;
using Acme.Bookmarks.Domain;
using Edgeplane.Abstractions.Auditing;
using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Events;
using Edgeplane.Abstractions.Http;
using Edgeplane.Abstractions.Routing;
using Edgeplane.Abstractions.Security;
using Markdig;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Acme.Bookmarks.Api;

/// <summary>A bookmark to add.</summary>
public sealed record NewBookmark(string? Url, string? Title, string? Notes);

/// <summary>A bookmark as the API shows it, its notes also rendered to safe HTML.</summary>
public sealed record BookmarkView(string Id, string Url, string Title, string Notes, string NotesHtml, DateTimeOffset CreatedAt);

/// <summary>The routes: a Carter-style module. The host mounts them under <c>/bookmarks</c> by default.</summary>
public sealed class BookmarksModule : ICarterModule
{
    // Notes are rendered without raw HTML, so a note cannot carry a script.
    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().DisableHtml().Build();

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var bookmarks = app.MapGroup("/api/bookmarks");
        // The handlers return IResult (the answer or a problem), so each declares its answer for the API document.
        bookmarks.MapPost("/", AddAsync).WithSummary("Add a bookmark").RequirePermission("bookmarks.write")
            .Produces<BookmarkView>(StatusCodes.Status201Created);
        bookmarks.MapGet("/", ListAsync).WithSummary("The team's bookmarks, newest first").RequirePermission("bookmarks.read")
            .Produces<Page<BookmarkView>>();
        bookmarks.MapGet("/{id}", GetAsync).WithSummary("One bookmark").RequirePermission("bookmarks.read")
            .Produces<BookmarkView>().Produces(StatusCodes.Status404NotFound);
        bookmarks.MapDelete("/{id}", DeleteAsync).WithSummary("Delete a bookmark").RequirePermission("bookmarks.write")
            .Produces(StatusCodes.Status204NoContent).Produces(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> AddAsync(NewBookmark body, HttpContext http, ICaller caller, BookmarkStore store, IAuditLog audit,
        IEventPublisher events, BookmarkMetrics metrics, TimeProvider clock)
    {
        var errors = new FieldErrors()
            .Check(Uri.TryCreate(body.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https", "url", "must be an absolute http or https URL")
            .Check(body.Title is { Length: > 0 and <= 200 }, "title", "must be 1-200 characters")
            .Check((body.Notes?.Length ?? 0) <= 10_000, "notes", "must be at most 10,000 characters");
        if (errors.Any) return errors.ToProblem();

        var bookmark = new Bookmark { Id = Ids.New(), Url = body.Url!, Title = body.Title!, Notes = body.Notes ?? "", CreatedAt = clock.GetUtcNow() };
        await store.AddAsync(caller.TeamId!, bookmark);
        await audit.RecordAsync("bookmarks.add", bookmark.Id, new { bookmark.Url });
        await events.PublishAsync(new BookmarkAdded(bookmark.Id, bookmark.Url), caller.TeamId);
        metrics.Created();
        return TypedResults.Created(http.PluginLink($"/api/bookmarks/{bookmark.Id}"), View(bookmark));
    }

    private static async Task<IResult> ListAsync([AsParameters] PageRequest page, ICaller caller, BookmarkStore store)
    {
        var result = await store.ListAsync(caller.TeamId!, page);
        return TypedResults.Ok(new Page<BookmarkView>(result.Items.Select(View).ToList(), result.Total, result.Limit, result.Offset));
    }

    private static async Task<IResult> GetAsync(string id, ICaller caller, BookmarkStore store) =>
        await store.FindAsync(caller.TeamId!, id) is { } bookmark ? TypedResults.Ok(View(bookmark)) : TypedResults.NotFound();

    private static async Task<IResult> DeleteAsync(string id, ICaller caller, BookmarkStore store) =>
        await store.DeleteAsync(caller.TeamId!, id) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static BookmarkView View(Bookmark b) =>
        new(b.Id, b.Url, b.Title, b.Notes, Markdig.Markdown.ToHtml(b.Notes, Markdown), b.CreatedAt);
}
