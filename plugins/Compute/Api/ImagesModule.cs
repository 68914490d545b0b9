using System.Text.Json;
using Edgeplane.Plugins.Compute.Data;
using Edgeplane.Plugins.Compute.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Edgeplane.Plugins.Compute.Api;

/// <summary>The images catalog: what may be deployed, with default resources. Host admins manage it.</summary>
public sealed class ImagesModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/images", async (ImageStore images, CancellationToken ct) =>
            TypedResults.Ok((await images.ListAsync(ct)).Select(ImageView.From).ToList())).WithSummary("The image catalog").RequirePermission("compute.images.read");

        app.MapPost("/api/images/create", async Task<IResult> (Body<NewImage> request, ImageStore images, IAuditLog audit, TimeProvider clock, CancellationToken ct) =>
        {
            var body = request.Value;
            var errors = new FieldErrors();
            string? error;
            var name = body.Name.Clean();
            if (name is null) errors.Add("name", "is required");
            else if (name.Length > 100) errors.Add("name", "must be at most 100 characters");
            var reference = body.Reference.Clean() ?? body.Image.Clean();
            if (reference is null) errors.Add("reference", "is required");
            else if (reference.Length > 300 || reference.Any(char.IsWhiteSpace)) errors.Add("reference", "is not an image reference");
            var memory = ResourceSpec.ParseMemory(body.Memory.Clean() ?? ImageRow.DefaultMemory, out error);
            if (error is not null) errors.Add("memory", error);
            var cpu = ResourceSpec.ParseCpu(body.Cpu.Clean() ?? ImageRow.DefaultCpu, out error);
            if (error is not null) errors.Add("cpu", error);
            var command = body.Command;
            if (command is { Count: 0 }) command = null;
            if (errors.Any) return errors.ToProblem();
            var image = new ImageRow
            {
                Id = Ids.New(clock.GetUtcNow()),
                Name = name!,
                Reference = reference!,
                MemoryBytes = memory!.Value,
                NanoCpus = cpu!.Value,
                Command = command is null ? null : JsonSerializer.Serialize(command),
                Description = body.Description.Clean(),
                CreatedAt = clock.GetUtcNow(),
            };
            if (!await images.TryInsertAsync(image, ct)) return Problems.Conflict($"an image named '{name}' already exists");
            await audit.RecordAsync("compute.image.create", image.Id, new { image.Name, image.Reference }, ct);
            return TypedResults.Json(ImageView.From(image), statusCode: StatusCodes.Status201Created);
        }).WithSummary("Add an image to the catalog (host admin)").Produces<ImageView>(StatusCodes.Status201Created).RequirePermission("compute.images.write").RequireHostAdmin();

        app.MapDelete("/api/images/delete", async Task<Results<Created<DeletedView>, ValidationProblem>> (Body<ImageDeletion> body, ImageStore images, IAuditLog audit, CancellationToken ct) =>
        {
            if ((body.Value.Id.Clean() ?? body.Value.Name.Clean()) is not { } key) return Problems.Field("id", "is required");
            if (await images.FindAsync(key, ct) is not { } image || !await images.DeleteAsync(image.Id, ct)) return Problems.Field("id", $"no image '{key}'");
            await audit.RecordAsync("compute.image.delete", image.Id, new { image.Name }, ct);
            return TypedResults.Created((string?)null, new DeletedView("Image deleted", image.Id));
        }).WithSummary("Remove an image from the catalog (host admin)").RequirePermission("compute.images.write").RequireHostAdmin();
    }
}
