namespace Edgeplane.Plugins.Dns.Server;

/// <summary>
/// The view the DNS server answers from: the persisted snapshot's as soon as it is read and sound (while the host is
/// still starting: <see cref="ServeSnapshotAsync"/>), then every view the <see cref="ZoneViewProvider"/> publishes.
/// <see cref="Ready"/> completes at the first view, so the server never answers from an empty view before one.
/// </summary>
public sealed class ServedView
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ZoneView _current = ZoneView.Empty;
    private bool _published;

    public ZoneView Current => _current;

    public Task Ready => _ready.Task;

    public void Publish(ZoneView view)
    {
        lock (_gate)
        {
            _current = view;
            _published = true;
        }
        _ready.TrySetResult();
    }

    /// <summary>Serves the snapshot being read, when it is sound and nothing was published before it.</summary>
    public async Task ServeSnapshotAsync(Task<ViewSnapshot.Loaded> reading)
    {
        var saved = await reading;
        if (saved.Mark is not { } mark) return;
        lock (_gate)
        {
            if (_published) return;
            _current = new ZoneView(saved.Zones, mark.Position);
            _published = true;
        }
        _ready.TrySetResult();
    }
}
