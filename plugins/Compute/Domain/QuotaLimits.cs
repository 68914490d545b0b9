using Edgeplane.Plugins.Compute.Data;

namespace Edgeplane.Plugins.Compute.Domain;

/// <summary>What one user's instances may hold (<c>Quota:*</c>), over instances not failed or deleted.</summary>
public sealed record QuotaLimits(int MaxInstances, long MaxMemoryBytes, long MaxNanoCpus)
{
    /// <summary>The settings as checked at start by <see cref="ComputeOptionsValidator"/>.</summary>
    public static QuotaLimits From(ComputeOptions.QuotaSettings quota) =>
        new(quota.MaxInstances, ResourceSpec.ParseSize(quota.MaxMemory, out _)!.Value, ResourceSpec.ParseCpu(quota.MaxCpu, out _)!.Value);
}

/// <summary>A user's quota and what their instances hold of it.</summary>
public sealed record UserQuota(string UserId, QuotaLimits Limits, UserUsage Usage);
