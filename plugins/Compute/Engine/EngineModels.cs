using System.Text.Json.Serialization;

namespace Edgeplane.Plugins.Compute.Engine;

// The few Docker Engine API (v1.41) shapes the plugin uses. Property names are the API's own.

public sealed record EngineVersion(string? Version, string? ApiVersion, string? MinAPIVersion, string? Os, string? Arch, string? KernelVersion, IReadOnlyList<EngineComponent>? Components)
{
    /// <summary>"Podman Engine 4.3.1" or "Docker Engine 24.0.7": the engine's product and version.</summary>
    public string Describe() =>
        Components?.FirstOrDefault(c => c.Name?.EndsWith("Engine", StringComparison.OrdinalIgnoreCase) == true) is { } engine
            ? $"{engine.Name} {engine.Version}"
            : $"Engine {Version}";
}

public sealed record EngineComponent(string? Name, string? Version);

public sealed record ImageInspect(string Id, IReadOnlyList<string>? RepoTags, long Size, DateTimeOffset? Created, ImageConfig? Config);

public sealed record ImageSummary(string Id, IReadOnlyList<string>? RepoTags);

public sealed record ImageConfig(IReadOnlyList<string>? Cmd, IReadOnlyList<string>? Entrypoint, Dictionary<string, object>? ExposedPorts);

public sealed record PortBinding(string HostIp, string HostPort);

public sealed record RestartPolicy(string Name, int MaximumRetryCount = 0);

public sealed record HostConfig
{
    public long Memory { get; init; }
    public long MemorySwap { get; init; }
    public long NanoCpus { get; init; }
    public Dictionary<string, IReadOnlyList<PortBinding>>? PortBindings { get; init; }
    public RestartPolicy? RestartPolicy { get; init; }
    public bool? AutoRemove { get; init; }
}

public sealed record CreateContainerRequest
{
    public required string Image { get; init; }
    public IReadOnlyList<string>? Cmd { get; init; }
    public IReadOnlyList<string>? Env { get; init; }
    public Dictionary<string, string>? Labels { get; init; }
    public Dictionary<string, object>? ExposedPorts { get; init; }
    public HostConfig? HostConfig { get; init; }
    public bool Tty { get; init; }
    public string? Hostname { get; init; }
}

public sealed record CreateContainerResponse(string Id, IReadOnlyList<string>? Warnings);

public sealed record ContainerState(string? Status, bool Running, bool Paused, bool Restarting, bool OOMKilled, bool Dead, int Pid, int ExitCode, string? Error, string? StartedAt, string? FinishedAt);

public sealed record ContainerConfig(string? Image, IReadOnlyList<string>? Cmd, Dictionary<string, string>? Labels);

public sealed record ContainerNetworkSettings(Dictionary<string, IReadOnlyList<PortBinding>?>? Ports);

public sealed record ContainerInspect(string Id, string? Name, string? Image, ContainerState? State, ContainerConfig? Config, HostConfig? HostConfig, ContainerNetworkSettings? NetworkSettings, int RestartCount);

public sealed record ContainerPort(string? IP, int PrivatePort, int? PublicPort, string? Type);

public sealed record ContainerSummary(string Id, IReadOnlyList<string>? Names, string? Image, string? State, string? Status, Dictionary<string, string>? Labels, IReadOnlyList<ContainerPort>? Ports);

public sealed record CpuUsage(
    [property: JsonPropertyName("total_usage")] ulong TotalUsage,
    [property: JsonPropertyName("percpu_usage")] IReadOnlyList<ulong>? PercpuUsage);

public sealed record CpuStats(
    [property: JsonPropertyName("cpu_usage")] CpuUsage? CpuUsage,
    [property: JsonPropertyName("system_cpu_usage")] ulong SystemCpuUsage,
    [property: JsonPropertyName("online_cpus")] int OnlineCpus);

public sealed record MemoryStats(
    [property: JsonPropertyName("usage")] ulong Usage,
    [property: JsonPropertyName("limit")] ulong Limit);

public sealed record PidsStats([property: JsonPropertyName("current")] ulong Current);

public sealed record NetworkStats(
    [property: JsonPropertyName("rx_bytes")] ulong RxBytes,
    [property: JsonPropertyName("tx_bytes")] ulong TxBytes);

public sealed record ContainerStats(
    [property: JsonPropertyName("read")] DateTimeOffset Read,
    [property: JsonPropertyName("cpu_stats")] CpuStats? CpuStats,
    [property: JsonPropertyName("precpu_stats")] CpuStats? PreCpuStats,
    [property: JsonPropertyName("memory_stats")] MemoryStats? MemoryStats,
    [property: JsonPropertyName("pids_stats")] PidsStats? PidsStats,
    [property: JsonPropertyName("networks")] Dictionary<string, NetworkStats>? Networks)
{
    /// <summary>CPU use in percent of one core (Docker CLI's formula), or null without a previous sample.</summary>
    public double? CpuPercent
    {
        get
        {
            if (CpuStats?.CpuUsage is not { } now || PreCpuStats?.CpuUsage is not { } before) return null;
            if (PreCpuStats.SystemCpuUsage == 0 || CpuStats.SystemCpuUsage <= PreCpuStats.SystemCpuUsage) return null;
            var cpuDelta = (double)now.TotalUsage - before.TotalUsage;
            var systemDelta = (double)CpuStats.SystemCpuUsage - PreCpuStats.SystemCpuUsage;
            var cpus = CpuStats.OnlineCpus > 0 ? CpuStats.OnlineCpus : now.PercpuUsage?.Count ?? 1;
            return cpuDelta > 0 ? cpuDelta / systemDelta * cpus * 100.0 : 0;
        }
    }
}

/// <summary>One frame of a container's log: which stream it came from and its bytes as text.</summary>
public sealed record LogFrame(LogStream Stream, string Text);

public enum LogStream
{
    Stdin = 0,
    Stdout = 1,
    Stderr = 2,
}

/// <summary>An error the engine answered with (its status code and message).</summary>
public sealed class EngineException(int statusCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;
    public bool IsNotFound => StatusCode == 404;
    public bool IsConflict => StatusCode == 409;

    /// <summary>A host port of the container is held by something else on the node (podman's and Docker's wording).</summary>
    public bool IsHostPortInUse => Message.Contains("address already in use", StringComparison.Ordinal) || Message.Contains("port is already allocated", StringComparison.Ordinal);
}

/// <summary>The engine could not be reached at all (connection refused, socket missing, timeout).</summary>
public sealed class EngineUnreachableException(string message, Exception? inner = null) : Exception(message, inner);
