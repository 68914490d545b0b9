using System.Reflection;
using System.Text;
using Edgeplane.Plugins.Compute.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace Edgeplane.Plugins.Compute.Api;

/// <summary>Streams log text as it arrives (chunked <c>text/plain</c>), flushing after each frame so following works.</summary>
internal sealed class LogResult(IAsyncEnumerator<LogFrame> frames, bool any) : IResult, IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/plain"]));

    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await using (frames)
        {
            try
            {
                if (!any) return;
                do
                {
                    await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frames.Current.Text), http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                }
                while (await frames.MoveNextAsync());
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested) { }
            catch (Exception e) when (e is EngineException or EngineUnreachableException or IOException)
            {
                // The response has started: end it; the client sees the log up to here.
            }
        }
    }
}
