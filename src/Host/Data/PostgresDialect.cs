using System.Data.Common;
using Edgeplane.Abstractions.Data;
using Npgsql;

namespace Edgeplane.Host.Data;

public sealed class PostgresDialect : SqlDialect
{
    public override string Provider => "postgres";

    // A transaction-scoped advisory lock: released at commit or rollback, never left behind.
    public override string MigrationLock => "SELECT pg_advisory_xact_lock(4242001)";

    public override string Type(SqlType type) => type switch
    {
        SqlType.Id => "varchar(64)",
        SqlType.String => "varchar(400)",
        SqlType.Text => "text",
        SqlType.Int => "integer",
        SqlType.BigInt => "bigint",
        SqlType.Bool => "boolean",
        SqlType.Timestamp => "timestamptz",
        SqlType.Blob => "bytea",
        SqlType.Double => "double precision",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
