using Edgeplane.Plugins.Compute.Engine;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>A node to register, as read from the request: sizes in bytes, cores in nano-CPUs, where its engine listens.</summary>
public sealed record NewNodeSpec(string Name, IReadOnlyList<string> Tags, long RamBytes, long DiskBytes, long ProcessorNano, EngineEndpoint Endpoint);
