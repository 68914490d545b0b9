using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

/// <summary>
/// Started by the runtime before Main (DOTNET_STARTUP_HOOKS): logs every type load and every JIT-compiled method, with
/// its time, and writes them to <c>$TYPE_LOADS_OUT.PID</c> when the process exits (bench/host/loads.sh reads them).
/// </summary>
internal static class StartupHook
{
    private static RuntimeEventLog? _log;

    public static void Initialize()
    {
        _log = new RuntimeEventLog();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => _log.Write($"{Environment.GetEnvironmentVariable("TYPE_LOADS_OUT")}.{Environment.ProcessId}");
    }
}

internal sealed class RuntimeEventLog : EventListener
{
    private const long TypeDiagnosticKeyword = 0x8000000000, JitKeyword = 0x10;
    private readonly ConcurrentQueue<string> _lines = new();
    private int _written;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)(TypeDiagnosticKeyword | JitKeyword));
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        var ms = new DateTimeOffset(e.TimeStamp).ToUnixTimeMilliseconds();
        if (e.EventName == "TypeLoadStop")
            _lines.Enqueue($"{ms}\tT\t{Payload(e, "TypeName")}\t{Payload(e, "LoadLevel")}");
        else if (e.EventName is "MethodJittingStarted_V1" or "MethodJittingStarted")
            _lines.Enqueue($"{ms}\tM\t{Payload(e, "MethodNamespace")}::{Payload(e, "MethodName")}");
    }

    private static object? Payload(EventWrittenEventArgs e, string name) =>
        e.PayloadNames?.IndexOf(name) is >= 0 and var i ? e.Payload![i] : null;

    public void Write(string path)
    {
        if (Interlocked.Exchange(ref _written, 1) == 0) File.WriteAllLines(path, _lines);
    }
}
