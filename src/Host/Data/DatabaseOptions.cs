using Microsoft.Extensions.Configuration;

namespace Edgeplane.Host.Data;

/// <summary><c>Edgeplane:Database:Provider</c> (sqlite, postgres, sqlserver) and <c>…:ConnectionString</c>.</summary>
public sealed record DatabaseOptions(string Provider, string ConnectionString)
{
    public static DatabaseOptions From(IConfiguration configuration, string dataDirectory)
    {
        var section = configuration.GetSection("Edgeplane:Database");
        var provider = (section["Provider"] ?? "sqlite").Trim().ToLowerInvariant();
        var connectionString = section["ConnectionString"];
        if (provider == "sqlite" && string.IsNullOrWhiteSpace(connectionString))
            connectionString = $"Data Source={Path.Combine(dataDirectory, "edgeplane.db")}";
        if (provider is not ("sqlite" or "postgres" or "sqlserver"))
            throw new InvalidOperationException($"Edgeplane:Database:Provider '{provider}' is not one of sqlite, postgres, sqlserver");
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException($"Edgeplane:Database:ConnectionString is required for provider '{provider}'");
        return new DatabaseOptions(provider, connectionString);
    }
}
