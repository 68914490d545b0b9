using System.Data.Common;
using Edgeplane.Abstractions.Data;
using Microsoft.Data.Sqlite;

namespace Edgeplane.Host.Data;

public sealed class SqliteDialect : SqlDialect
{
    public override string Provider => "sqlite";

    // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default transaction) already takes the write lock.
    public override string MigrationLock => "";

    protected override string TrueLiteral => "1";
    protected override string FalseLiteral => "0";

    public override string Type(SqlType type) => type switch
    {
        SqlType.Id or SqlType.String or SqlType.Text or SqlType.Timestamp => "TEXT",
        SqlType.Int or SqlType.BigInt or SqlType.Bool => "INTEGER",
        SqlType.Blob => "BLOB",
        SqlType.Double => "REAL",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 1555 or 2067 };
}
