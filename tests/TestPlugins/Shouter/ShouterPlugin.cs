using Autofac;
using Edgeplane.Abstractions.Plugins;

namespace Edgeplane.TestPlugins.Shouter;

public sealed class ShouterPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder) => builder.ConfigureContainer<ContainerBuilder>(c => c.RegisterModule(new VoiceModule()));
}

/// <summary>Registers through Autofac, so a host with this plugin composes on Autofac.</summary>
public sealed class VoiceModule : Module
{
    protected override void Load(ContainerBuilder builder) => builder.RegisterInstance(new Voice("soft")).SingleInstance();
}

public sealed record Voice(string Name);
