using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Edgeplane.Host.Data;

/// <summary>Ready when a trivial query answers.</summary>
public sealed class DatabaseHealthCheck(DbConnectionFactory connections) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            await connection.ExecuteScalarAsync<int>("SELECT 1");
            return HealthCheckResult.Healthy(connections.Dialect.Provider);
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"{connections.Dialect.Provider}: {e.Message}");
        }
    }
}
