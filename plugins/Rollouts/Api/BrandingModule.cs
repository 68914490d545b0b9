using Edgeplane.Plugins.Rollouts.Data.Reports;
using Edgeplane.Plugins.Rollouts.Domain.Reports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>Administration: report branding. <c>GET/PUT /report-branding</c>, <c>GET/PUT/DELETE /report-branding/logo</c>.</summary>
public sealed class BrandingModule : ICarterModule
{
    public const int MaxLogoBytes = 512 * 1024;

    public sealed record BrandingBody(string? Name, string? PrimaryColor, string? AccentColor);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var branding = app.MapGroup("/api/v1/report-branding");
        branding.MapGet("/", GetAsync).WithSummary("The team's report branding").Produces<BrandingView>().RequirePermission("rollouts.branding.read");
        branding.MapPut("/", PutAsync).WithSummary("Set the team's report branding").Produces<BrandingView>().RequirePermission("rollouts.branding.write");
        branding.MapGet("/logo", GetLogoAsync).WithSummary("The team's report logo").Produces<Stream>(StatusCodes.Status200OK, "image/png", "image/jpeg").RequirePermission("rollouts.branding.read");
        // The image as the body (PNG or JPEG, sniffed; a declared type must agree): any declared type reaches the handler, which names the mismatch.
        branding.MapPut("/logo", PutLogoAsync).WithSummary("Set the team's report logo (PNG, JPEG)").Produces(StatusCodes.Status204NoContent).Accepts<byte[]>("image/png", "image/jpeg", "application/octet-stream", "*/*").RequirePermission("rollouts.branding.write");
        branding.MapDelete("/logo", DeleteLogoAsync).WithSummary("Remove the team's report logo").Produces(StatusCodes.Status204NoContent).RequirePermission("rollouts.branding.write");
    }

    private static async Task<IResult> GetAsync(ICaller caller, BrandingStore store) =>
        TypedResults.Ok(BrandingView.From(await store.GetAsync(caller.TeamId!)));

    private static async Task<IResult> PutAsync(BrandingBody body, ICaller caller, BrandingStore store, IAuditLog audit, TimeProvider clock)
    {
        var errors = new FieldErrors()
            .Check(body.Name is null || PdfReport.Clean(body.Name).Trim().Length is > 0 and <= 100 && !body.Name.Any(char.IsControl), "name", "must be 1-100 printable characters")
            .Check(body.PrimaryColor is null || Branding.IsColor(body.PrimaryColor), "primaryColor", "must be #RRGGBB")
            .Check(body.AccentColor is null || Branding.IsColor(body.AccentColor), "accentColor", "must be #RRGGBB");
        if (errors.Any) return errors.ToProblem();
        var current = await store.GetAsync(caller.TeamId!);
        var next = new Branding
        {
            Name = body.Name?.Trim() ?? current.Name,
            PrimaryColor = (body.PrimaryColor ?? current.PrimaryColor).ToUpperInvariant(),
            AccentColor = (body.AccentColor ?? current.AccentColor).ToUpperInvariant(),
            Logo = current.Logo, LogoContentType = current.LogoContentType, UpdatedAt = clock.GetUtcNow(),
        };
        await store.SaveAsync(caller.TeamId!, next);
        await audit.RecordAsync("rollouts.branding.update", caller.TeamId!, new { next.Name, next.PrimaryColor, next.AccentColor });
        return TypedResults.Ok(BrandingView.From(next));
    }

    private static async Task<IResult> GetLogoAsync(ICaller caller, BrandingStore store) =>
        await store.GetAsync(caller.TeamId!) is { Logo: { } logo, LogoContentType: { } type } ? TypedResults.File(logo, type) : TypedResults.NotFound();

    private static async Task<IResult> PutLogoAsync(HttpRequest request, ICaller caller, BrandingStore store, IAuditLog audit, TimeProvider clock)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxLogoBytes) return new FieldErrors().Add("logo", $"must be at most {MaxLogoBytes / 1024} KB").ToProblem();
            buffer.Write(chunk, 0, read);
        }
        var data = buffer.ToArray();
        var type = Branding.SniffImage(data);
        var declared = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var errors = new FieldErrors()
            .Check(type is not null, "logo", "must be a PNG or JPEG image")
            .Check(type is null || declared is null || declared == type || declared == "application/octet-stream", "logo", $"content type {declared} does not match the image ({type})");
        if (!errors.Any && !PdfReport.CanPlace(data, type!)) errors.Add("logo", "the image could not be decoded");
        if (errors.Any) return errors.ToProblem();
        var current = await store.GetAsync(caller.TeamId!);
        await store.SaveAsync(caller.TeamId!, new Branding
        {
            Name = current.Name, PrimaryColor = current.PrimaryColor, AccentColor = current.AccentColor, Logo = data, LogoContentType = type, UpdatedAt = clock.GetUtcNow(),
        });
        await audit.RecordAsync("rollouts.branding.logo", caller.TeamId!, new { contentType = type, bytes = data.Length });
        return TypedResults.NoContent();
    }

    private static async Task<IResult> DeleteLogoAsync(ICaller caller, BrandingStore store, IAuditLog audit, TimeProvider clock)
    {
        var current = await store.GetAsync(caller.TeamId!);
        if (current.Logo is null) return TypedResults.NotFound();
        await store.SaveAsync(caller.TeamId!, new Branding { Name = current.Name, PrimaryColor = current.PrimaryColor, AccentColor = current.AccentColor, UpdatedAt = clock.GetUtcNow() });
        await audit.RecordAsync("rollouts.branding.logo.delete", caller.TeamId!);
        return TypedResults.NoContent();
    }
}
