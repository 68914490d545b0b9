using Edgeplane.Abstractions.Plugins;
using Edgeplane.Plugins.Dns.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Edgeplane.Plugins.Dns;

public sealed class DnsPlugin : IPlugin
{
    public void ConfigureServices(IPluginBuilder builder)
    {
        var options = DnsServerOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
    }
}
