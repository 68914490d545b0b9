using Edgeplane.Abstractions.Data;
using Edgeplane.Abstractions.Plugins;
using Edgeplane.Host.Data;
using Edgeplane.Host.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;

namespace Edgeplane.Host.Tests.Units;

public sealed class PluginPartsTests
{
    [Fact]
    public void A_plugin_configures_the_container_with_autofac_or_is_refused_naming_the_type()
    {
        var builder = new PluginBuilder(new PluginDescriptor("p", "P", "1.0.0", "", []), new ConfigurationBuilder().Build(), new HostingEnvironment(), "/tmp");
        builder.ConfigureContainer<Autofac.ContainerBuilder>(_ => { });
        Assert.Single(builder.ContainerConfiguration);

        var refused = Assert.Throws<NotSupportedException>(() => builder.ConfigureContainer<ServiceCollection>(_ => { }));
        Assert.Contains("Microsoft.Extensions.DependencyInjection.ServiceCollection", refused.Message);
        Assert.Single(builder.ContainerConfiguration);
    }

    [Theory]
    [InlineData("[1.0,2.0)", "1.0.0", true)]
    [InlineData("[1.0,2.0)", "1.9.9", true)]
    [InlineData("[1.0,2.0)", "2.0.0", false)]
    [InlineData("(1.0,2.0]", "1.0.0", false)]
    [InlineData("(1.0,2.0]", "2.0.0", true)]
    [InlineData("[1.2,1.2]", "1.2", true)]
    public void Version_ranges_honour_inclusive_and_exclusive_bounds(string range, string version, bool contains)
    {
        Assert.True(VersionRange.TryParse(range, out var parsed));
        Assert.Equal(contains, parsed.Contains(Version.Parse(version)));
    }

    [Theory]
    [InlineData(">=1.0")]
    [InlineData("[1.0,)")]
    [InlineData("[2.0,1.0)")]
    [InlineData("1.0")]
    public void A_range_without_both_bounds_is_refused(string range) => Assert.False(VersionRange.TryParse(range, out _));

    [Theory]
    [InlineData(null, "/dns", null)]
    [InlineData("/edge/dns/", "/edge/dns", null)]
    [InlineData(":8053", "", 8053)]
    [InlineData("http://127.0.0.1:9999", "", 9999)]
    public void Mounts_are_a_prefix_or_a_dedicated_listener(string? value, string prefix, int? port)
    {
        var mount = PluginMount.Parse(value, "dns");

        Assert.Equal(prefix, mount.Prefix);
        Assert.Equal(port, mount.Port);
    }

    [Theory]
    [InlineData("/metrics", true)]
    [InlineData("/metrics/extra", true)]
    [InlineData("/metricsx", false)]
    [InlineData("/api/v1/rules", false)]
    public void A_mounts_paths_match_whole_segments(string route, bool served) =>
        Assert.Equal(served, (PluginMount.Parse(":9090", "waf") with { Paths = ["/metrics"] }).Serves(route));

    [Theory]
    [InlineData("Dapper", "1.0.0.0", true)]       // the host ships a newer one: shared, so types unify
    [InlineData("Dapper", "99.0.0.0", false)]     // the plugin needs newer than the host ships: its own copy
    [InlineData("Edgeplane.Abstractions", "99.0.0.0", true)] // the SDK is always the host's
    [InlineData("Humanizer", "2.14.0.0", false)]  // not shipped by the host: private
    public void A_dependency_is_shared_when_the_host_ships_it_at_that_version_or_newer(string name, string version, bool shared) =>
        Assert.Equal(shared, HostAssemblies.ShouldShare(new System.Reflection.AssemblyName($"{name}, Version={version}")));

    [Fact]
    public void A_nonsense_mount_is_refused() => Assert.Throws<FormatException>(() => PluginMount.Parse("dns", "dns"));

    private static PluginHostedService Guard(PluginEntry entry, PluginStartup startup, params IHostedService[] services) =>
        Guard(entry, startup, Started(), services);

    private static PluginHostedService Guard(PluginEntry entry, PluginStartup startup, ApplicationLifetime lifetime, params IHostedService[] services) =>
        new(services.Select(s => (Func<IHostedService>)(() => s)).ToList(), entry, EarlyServices.None, startup, lifetime, NullLogger<PluginHostedService>.Instance);

    private static ApplicationLifetime Started()
    {
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        lifetime.NotifyStarted();
        return lifetime;
    }

    [Fact]
    public async Task A_plugins_background_services_wait_until_the_server_has_started()
    {
        var inner = Substitute.For<IHostedService>();
        var started = new TaskCompletionSource();
        inner.StartAsync(Arg.Any<CancellationToken>()).Returns(_ => { started.SetResult(); return Task.CompletedTask; });
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var guarded = Guard(PluginEntryTests.At(PluginState.Mapped), new PluginStartup(), lifetime, inner);

        await guarded.StartAsync(CancellationToken.None);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        var startedEarly = started.Task.IsCompleted;
        lifetime.NotifyStarted();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await guarded.StopAsync(CancellationToken.None);

        Assert.False(startedEarly);
        await inner.Received(1).StopAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_host_that_stops_before_serving_never_starts_the_plugins_background_services()
    {
        var inner = Substitute.For<IHostedService>();
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var startup = new PluginStartup();
        var guarded = Guard(PluginEntryTests.At(PluginState.Mapped), startup, lifetime, inner);

        await guarded.StartAsync(CancellationToken.None);
        lifetime.StopApplication();
        await guarded.StopAsync(CancellationToken.None);

        await inner.DidNotReceive().StartAsync(Arg.Any<CancellationToken>());
        Assert.Equal(HealthStatus.Healthy, (await startup.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    public async Task A_plugin_background_service_starts_only_while_the_plugin_is_active()
    {
        var inner = Substitute.For<IHostedService>();
        var entry = PluginEntryTests.At(PluginState.Mapped);
        entry.Fail("migration 0001_x.sql failed");
        var guarded = Guard(entry, new PluginStartup(), inner);

        await guarded.StartAsync(CancellationToken.None);
        await guarded.StopAsync(CancellationToken.None);

        await inner.DidNotReceive().StartAsync(Arg.Any<CancellationToken>());
        await inner.DidNotReceive().StopAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_plugins_background_services_start_in_order_off_the_startup_path_and_stop_in_reverse()
    {
        var order = new List<string>();
        var release = new TaskCompletionSource();
        var first = Substitute.For<IHostedService>();
        first.StartAsync(Arg.Any<CancellationToken>()).Returns(async _ => { await release.Task; order.Add("start first"); });
        first.StopAsync(Arg.Any<CancellationToken>()).Returns(_ => { order.Add("stop first"); return Task.CompletedTask; });
        var second = Substitute.For<IHostedService>();
        second.StartAsync(Arg.Any<CancellationToken>()).Returns(_ => { order.Add("start second"); return Task.CompletedTask; });
        second.StopAsync(Arg.Any<CancellationToken>()).Returns(_ => { order.Add("stop second"); return Task.CompletedTask; });
        var startup = new PluginStartup();
        var guarded = Guard(PluginEntryTests.At(PluginState.Mapped), startup, first, second);

        await guarded.StartAsync(CancellationToken.None); // returns while the first service is still starting
        var starting = await startup.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        release.SetResult();
        await guarded.StopAsync(CancellationToken.None);
        var started = await startup.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Unhealthy, starting.Status);
        Assert.Contains("x", starting.Description);
        Assert.Equal(HealthStatus.Healthy, started.Status);
        Assert.Equal(["start first", "start second", "stop second", "stop first"], order);
    }

    [Fact]
    public async Task Plugins_take_turns_to_start_their_background_services()
    {
        var releaseFirst = new TaskCompletionSource();
        var firstStarting = new TaskCompletionSource();
        var secondStarting = new TaskCompletionSource();
        var first = Substitute.For<IHostedService>();
        first.StartAsync(Arg.Any<CancellationToken>()).Returns(async _ => { firstStarting.SetResult(); await releaseFirst.Task; });
        var second = Substitute.For<IHostedService>();
        second.StartAsync(Arg.Any<CancellationToken>()).Returns(_ => { secondStarting.SetResult(); return Task.CompletedTask; });
        var startup = new PluginStartup(concurrentStarts: 1);
        var a = Guard(PluginEntryTests.At(PluginState.Mapped, "a"), startup, first);
        var b = Guard(PluginEntryTests.At(PluginState.Mapped, "b"), startup, second);

        await a.StartAsync(CancellationToken.None);
        await firstStarting.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await b.StartAsync(CancellationToken.None);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        var secondStartedEarly = secondStarting.Task.IsCompleted;
        releaseFirst.SetResult();
        await secondStarting.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await a.StopAsync(CancellationToken.None);
        await b.StopAsync(CancellationToken.None);

        Assert.False(secondStartedEarly);
        Assert.Equal(HealthStatus.Healthy, (await startup.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    public void A_hosted_service_type_the_host_runs_itself_is_not_run_again_for_a_plugin()
    {
        var host = new ServiceCollection();
        host.AddHealthChecks();
        var plugin = new ServiceCollection();
        plugin.AddHealthChecks();
        plugin.AddHostedService<PluginOwnService>();
        plugin.AddSingleton<IHostedService>(_ => new PluginOwnService());

        var runByHost = plugin.Where(d => d.ServiceType == typeof(IHostedService))
            .Select(d => (d.ImplementationType?.Name ?? "factory", Edgeplane.Host.Composition.PluginComposition.RunByHost(host, d)))
            .ToList();

        Assert.Equal([("HealthCheckPublisherHostedService", true), (nameof(PluginOwnService), false), ("factory", false)], runByHost);
    }

    private sealed class PluginOwnService : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task A_background_service_that_fails_to_start_fails_its_plugin_not_the_host()
    {
        var broken = Substitute.For<IHostedService>();
        broken.StartAsync(Arg.Any<CancellationToken>()).Returns(Task.FromException(new InvalidOperationException("port taken")));
        var entry = PluginEntryTests.At(PluginState.Mapped);
        var startup = new PluginStartup();
        var guarded = Guard(entry, startup, broken);

        await guarded.StartAsync(CancellationToken.None);
        await guarded.StopAsync(CancellationToken.None);

        Assert.Equal(PluginState.Failed, entry.State);
        Assert.Contains("port taken", entry.Reason);
        Assert.Equal(HealthStatus.Healthy, (await startup.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken)).Status);
        await broken.DidNotReceive().StopAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_background_service_that_fails_while_running_fails_its_plugin_and_its_other_services_stop()
    {
        var other = Substitute.For<IHostedService>();
        var failing = new FailsWhenTold();
        var entry = PluginEntryTests.At(PluginState.Mapped);
        var left = new TaskCompletionSource();
        entry.Left += _ => left.TrySetResult();
        var guarded = Guard(entry, new PluginStartup(), other, failing);

        await guarded.StartAsync(CancellationToken.None);
        await failing.Running.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        while (entry.State != PluginState.Active) await Task.Delay(10, TestContext.Current.CancellationToken);
        failing.Fail.SetResult();
        await left.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        for (var i = 0; i < 500 && other.ReceivedCalls().All(c => c.GetMethodInfo().Name != nameof(IHostedService.StopAsync)); i++)
            await Task.Delay(10, TestContext.Current.CancellationToken);

        Assert.Equal(PluginState.Failed, entry.State);
        Assert.Equal($"background service {nameof(FailsWhenTold)} failed: lost the engine", entry.Reason);
        Assert.IsType<IOException>(entry.Error);
        await other.Received(1).StopAsync(Arg.Any<CancellationToken>());
    }

    private sealed class FailsWhenTold : BackgroundService
    {
        public TaskCompletionSource Running { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Fail { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            Running.SetResult();
            await Fail.Task.WaitAsync(stoppingToken);
            throw new IOException("lost the engine");
        }
    }

    [Fact]
    public void Migration_tokens_expand_per_dialect()
    {
        const string script = "CREATE TABLE t (id {{id}} PRIMARY KEY, at {{timestamp}}, ok {{bool}} DEFAULT {{false}})";

        Assert.Equal("CREATE TABLE t (id TEXT PRIMARY KEY, at TEXT, ok INTEGER DEFAULT 0)", new SqliteDialect().Expand(script));
        Assert.Equal("CREATE TABLE t (id varchar(64) PRIMARY KEY, at timestamptz, ok boolean DEFAULT FALSE)", new PostgresDialect().Expand(script));
        Assert.Equal("CREATE TABLE t (id nvarchar(64) PRIMARY KEY, at datetimeoffset, ok bit DEFAULT 0)", new SqlServerDialect().Expand(script));
    }

    [Fact]
    public void Ids_sort_by_creation_time_and_are_url_safe()
    {
        var earlier = Ids.New(DateTimeOffset.UnixEpoch.AddDays(1));
        var later = Ids.New(DateTimeOffset.UnixEpoch.AddDays(2));

        Assert.True(string.CompareOrdinal(earlier, later) < 0);
        Assert.True(Ids.IsValid(earlier));
        Assert.Equal(26, later.Length);
        Assert.NotEqual(Ids.New(), Ids.New());
    }
}
