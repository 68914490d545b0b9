using System.Data.Common;

namespace Edgeplane.Abstractions.Data;

/// <summary>Opens connections to the host's one configured database (SQLite, PostgreSQL or SQL Server).</summary>
public interface IDbConnectionFactory
{
    /// <summary>What differs between the providers.</summary>
    ISqlDialect Dialect { get; }

    /// <summary>Opens a new connection; the caller disposes it. Use Dapper on it.</summary>
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default);
}
