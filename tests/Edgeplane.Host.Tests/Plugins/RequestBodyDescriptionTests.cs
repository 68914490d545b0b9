using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using Edgeplane.Abstractions.Http;
using Edgeplane.Host.Composition;
using Edgeplane.Host.Plugins;
using Edgeplane.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Host.Tests.Plugins;

/// <summary>
/// A route whose handler reads the request body itself (<c>Request.Body</c>, <c>BodyReader</c>, <c>Form</c>,
/// <c>ReadFormAsync</c>, <c>ReadFromJsonAsync</c>, directly or through the plugin's or the SDK's code) must describe
/// that body (<c>Accepts</c> metadata, or a bound <c>Body&lt;T&gt;</c> or typed parameter), or the OpenAPI document
/// leaves it out and no client can be generated for it; a route declared body-less (<c>TakesNoBody()</c>) must not read
/// one. Found by reading the handlers' IL, for every plugin.
/// </summary>
public sealed class RequestBodyDescriptionTests
{
    private static readonly HashSet<(Type, string)> BodyReads =
    [
        (typeof(HttpRequest), "get_Body"), (typeof(HttpRequest), "get_BodyReader"), (typeof(HttpRequest), "get_Form"),
        (typeof(HttpRequest), "ReadFormAsync"), (typeof(HttpRequestJsonExtensions), "ReadFromJsonAsync"),
    ];

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).DistinctBy(o => o.Value).ToDictionary(o => o.Value);

    [Fact]
    public async Task Every_plugin_route_that_reads_a_body_describes_it()
    {
        using var dir = new TempDirectory();
        await using var app = await InProcessHost.BuildAsync(dir);
        var plugins = app.Services.GetRequiredService<PluginCatalog>().Plugins;
        Assert.Equal(["compute", "dns", "ebpf", "rollouts", "waf"], plugins.Where(p => p.State == PluginState.Mapped).Select(p => p.Id).Order());

        var reading = new List<string>();
        var undescribed = new List<string>();
        foreach (var endpoint in ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<PluginEndpointMetadata>() is null || endpoint.Metadata.GetMetadata<MethodInfo>() is not { } handler) continue;
            if (!ReadsBody(handler)) continue;
            var name = $"{string.Join(",", endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])} {endpoint.RoutePattern.RawText}";
            reading.Add(name);
            if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is not { RequestType: not null }) undescribed.Add(name);
            if (endpoint.Metadata.GetMetadata<NoRequestBody>() is not null) undescribed.Add(name + " (declared TakesNoBody)");
        }

        Assert.Contains(reading, r => r.Contains("report-branding/logo", StringComparison.Ordinal)); // the scan finds what it looks for
        Assert.True(undescribed.Count == 0, "reads a body the document does not describe:\n" + string.Join("\n", undescribed));
    }

    /// <summary>Whether <paramref name="handler"/>, or code of the plugin or the SDK that it calls, reads the request body.</summary>
    private static bool ReadsBody(MethodInfo handler)
    {
        var own = new HashSet<Assembly> { handler.Module.Assembly, typeof(Abstractions.Http.RequestBody).Assembly };
        var seen = new HashSet<MethodBase>();
        var pending = new Stack<MethodBase>([handler]);
        while (pending.TryPop(out var method))
        {
            if (!seen.Add(method)) continue;
            if (method.GetCustomAttribute<StateMachineAttribute>() is { } machine && machine.StateMachineType.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public) is { } moveNext)
                pending.Push(moveNext);
            foreach (var callee in Callees(method))
            {
                if (callee.DeclaringType is { } type && BodyReads.Contains((type, callee.Name))) return true;
                if (callee.DeclaringType?.Assembly is { } assembly && own.Contains(assembly)) pending.Push(callee);
            }
        }
        return false;
    }

    /// <summary>The methods <paramref name="method"/>'s IL calls, creates or takes the address of.</summary>
    private static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        for (var i = 0; i < il.Length;)
        {
            var value = (short)il[i++];
            if (value == 0xFE) value = unchecked((short)(0xFE00 | il[i++]));
            var op = OpCodesByValue[value];
            if (op.OperandType == OperandType.InlineMethod && Resolve(method, BitConverter.ToInt32(il, i)) is { } callee) yield return callee;
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
    }

    private static MethodBase? Resolve(MethodBase method, int token)
    {
        try
        {
            return method.Module.ResolveMethod(token,
                method.DeclaringType is { IsGenericType: true } type ? type.GetGenericArguments() : null,
                method.IsGenericMethod ? method.GetGenericArguments() : null);
        }
        catch (ArgumentException)
        {
            return null; // a generic the scan cannot instantiate: none of the body readers are generic
        }
    }
}
