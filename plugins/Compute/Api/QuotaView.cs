using Edgeplane.Plugins.Compute.Domain;

namespace Edgeplane.Plugins.Compute.Api;

public sealed record QuotaView(string UserId, long MaxInstances, long Instances, string MaxMemory, long MaxMemoryBytes, long MemoryBytes, double MaxCpu, double Cpu)
{
    public static QuotaView From(UserQuota quota) =>
        new(quota.UserId, quota.Limits.MaxInstances, quota.Usage.Instances, ResourceSpec.FormatSize(quota.Limits.MaxMemoryBytes), quota.Limits.MaxMemoryBytes,
            quota.Usage.MemoryBytes, ResourceSpec.Cores(quota.Limits.MaxNanoCpus), ResourceSpec.Cores(quota.Usage.NanoCpus));
}
