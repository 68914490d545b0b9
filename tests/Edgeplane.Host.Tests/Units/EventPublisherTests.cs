using Edgeplane.Abstractions.Events;
using Edgeplane.Host.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edgeplane.Host.Tests.Units;

public sealed class EventPublisherTests
{
    private sealed record Shipped(string Parcel, int Weight) : IEventData
    {
        public static string Type => "test.parcel.shipped";
    }

    private sealed record Lost(string Parcel) : IEventData
    {
        public static string Type => "test.parcel.lost";
    }

    private sealed class Recorder<TData> : IEventHandler<TData> where TData : IEventData
    {
        public List<EdgeplaneEvent<TData>> Seen { get; } = [];

        public Task HandleAsync(EdgeplaneEvent<TData> @event, CancellationToken cancellationToken)
        {
            Seen.Add(@event);
            return Task.CompletedTask;
        }
    }

    private sealed class Failing : IEventHandler<Shipped>
    {
        public Task HandleAsync(EdgeplaneEvent<Shipped> @event, CancellationToken cancellationToken) => throw new InvalidOperationException("broken handler");
    }

    [Fact]
    public async Task An_event_reaches_every_handler_of_its_data_type_only_past_a_failing_one()
    {
        var shipped = new Recorder<Shipped>();
        var lost = new Recorder<Lost>();
        var services = new ServiceCollection()
            .AddSingleton<IEventHandler<Shipped>>(new Failing())
            .AddSingleton<IEventHandler<Shipped>>(shipped)
            .AddSingleton<IEventHandler<Lost>>(lost)
            .BuildServiceProvider();
        var publisher = new InProcessEventPublisher(services, TimeProvider.System, NullLogger<InProcessEventPublisher>.Instance);

        await publisher.PublishAsync(new Shipped("p1", 3), "team-1", TestContext.Current.CancellationToken);

        var seen = Assert.Single(shipped.Seen);
        Assert.Equal(new Shipped("p1", 3), seen.Data);
        Assert.Equal("test.parcel.shipped", seen.Type);
        Assert.Equal("team-1", seen.TeamId);
        Assert.False(string.IsNullOrEmpty(seen.Id));
        Assert.Empty(lost.Seen);
    }

    [Fact]
    public async Task An_event_nobody_handles_is_published_without_error()
    {
        var publisher = new InProcessEventPublisher(new ServiceCollection().BuildServiceProvider(), TimeProvider.System, NullLogger<InProcessEventPublisher>.Instance);
        await publisher.PublishAsync(new Lost("p2"), cancellationToken: TestContext.Current.CancellationToken);
    }
}
