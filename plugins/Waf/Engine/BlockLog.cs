namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>One blocked or rate-limited request as the operator sees it; the client is told only the request id.</summary>
public sealed record BlockedRequest(string RequestId, DateTimeOffset At, string? ClientIp, string Method, string Path, int Status, string? AttackType, string? RuleId, string? Reason);

/// <summary>
/// The most recent blocked requests of this process, for the API: a fixed-size ring, so a flood of blocked
/// requests cannot grow memory (the log has every one of them).
/// </summary>
public sealed class BlockLog(int capacity = BlockLog.DefaultCapacity)
{
    public const int DefaultCapacity = 1000;
    private const int MaxTextLength = 1000;

    private readonly BlockedRequest?[] _ring = new BlockedRequest?[capacity];
    private readonly Dictionary<string, BlockedRequest> _byRequestId = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _count;

    public void Record(InspectionRequest request, Verdict verdict, DateTimeOffset at)
    {
        if (request.RequestId is null) return;
        var block = new BlockedRequest(request.RequestId, at, request.ClientAddress?.ToString(), request.Method, Cut(request.RawPath)!,
            verdict.Kind == VerdictKind.RateLimited ? 429 : 403, verdict.AttackType, verdict.Rule?.Id, Cut(verdict.Reason));
        lock (_gate)
        {
            var slot = (int)(_count++ % _ring.Length);
            if (_ring[slot] is { } evicted) _byRequestId.Remove(evicted.RequestId);
            _ring[slot] = block;
            _byRequestId[block.RequestId] = block;
        }
    }

    public BlockedRequest? Find(string requestId)
    {
        lock (_gate) return _byRequestId.GetValueOrDefault(requestId);
    }

    /// <summary>Newest first.</summary>
    public (IReadOnlyList<BlockedRequest> Items, int Total) Page(int take, int skip)
    {
        lock (_gate)
        {
            var total = (int)Math.Min(_count, _ring.Length);
            var items = new List<BlockedRequest>();
            for (var i = skip; i < total && items.Count < take; i++)
                items.Add(_ring[(int)((_count - 1 - i) % _ring.Length)]!);
            return (items, total);
        }
    }

    private static string? Cut(string? text) => text is { Length: > MaxTextLength } ? text[..MaxTextLength] + "…" : text;
}
