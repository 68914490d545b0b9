namespace Edgeplane.Plugins.Ebpf.Domain;

public static class NodeStates
{
    public const string Pending = "pending";
    public const string Online = "online";
    public const string Stale = "stale";
    public const string Offline = "offline";

    /// <summary><c>pending</c> before the first report, then <c>online</c>, <c>stale</c> or <c>offline</c> by the age of the last report.</summary>
    public static string Of(DateTimeOffset? lastReportAt, DateTimeOffset now, EbpfOptions options)
    {
        if (lastReportAt is not { } last) return Pending;
        var age = now - last;
        if (age <= TimeSpan.FromSeconds(options.StaleAfterSeconds)) return Online;
        if (age <= TimeSpan.FromSeconds(options.OfflineAfterSeconds)) return Stale;
        return Offline;
    }
}
