using Edgeplane.Abstractions.Plugins;
using Edgeplane.Host.Composition;
using Edgeplane.Host.Plugins;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Edgeplane.Host.Tests.Units;

/// <summary>
/// A plugin's settings marked <c>ValidateOnStart</c> are checked as it registers (a bad one fails the plugin, not the host),
/// and once only: the host's own start does not bind and check them again.
/// </summary>
public sealed class PluginOptionsValidationTests
{
    [Fact]
    public void Each_plugins_settings_are_checked_once_and_a_bad_one_fails_only_its_plugin()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Edgeplane:Plugins:good:Limit"] = "5";
        builder.Configuration["Edgeplane:Plugins:bad:Limit"] = "0";
        var good = Entry("good");
        var bad = Entry("bad");

        PluginComposition.Register(builder, [good, bad], Directory.CreateTempSubdirectory().FullName);
        using var app = builder.Build();
        app.Services.GetService<IStartupValidator>()?.Validate(); // what the host's start does

        Assert.Equal(PluginState.Registered, good.State);
        Assert.Equal(1, ((LimitPlugin)good.Instance!).Checks);
        Assert.Equal(PluginState.Failed, bad.State);
        Assert.Contains("Limit must be at least 1", bad.Reason);
        Assert.Equal(1, ((LimitPlugin)bad.Instance!).Checks);
    }

    private static PluginEntry Entry(string id)
    {
        var entry = new PluginEntry($"/plugins/{id}", id)
        {
            Manifest = new PluginManifest(id, id, "1.0.0", $"{id}.dll", "[2.0,3.0)", "", [], []),
            Instance = new LimitPlugin(),
        };
        entry.Advance(PluginState.Loaded);
        return entry;
    }

    private sealed class LimitOptions
    {
        public int Limit { get; set; }
    }

    private sealed class LimitPlugin : IPlugin, IValidateOptions<LimitOptions>
    {
        private int _checks;
        public int Checks => _checks;

        public void ConfigureServices(IPluginBuilder builder)
        {
            builder.Services.AddOptions<LimitOptions>().Bind(builder.Configuration).ValidateOnStart();
            builder.Services.AddSingleton<IValidateOptions<LimitOptions>>(this);
        }

        public ValidateOptionsResult Validate(string? name, LimitOptions options)
        {
            Interlocked.Increment(ref _checks);
            return options.Limit >= 1 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail("Limit must be at least 1");
        }
    }
}
