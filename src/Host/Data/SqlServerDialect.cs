using System.Data.Common;
using Edgeplane.Abstractions.Data;
using Microsoft.Data.SqlClient;

namespace Edgeplane.Host.Data;

public sealed class SqlServerDialect : SqlDialect
{
    public override string Provider => "sqlserver";

    public override string MigrationLock =>
        "EXEC sp_getapplock @Resource = 'edgeplane-migrations', @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = 60000";

    protected override string TrueLiteral => "1";
    protected override string FalseLiteral => "0";

    public override string Paging(string limitParameter = "@limit", string offsetParameter = "@offset") =>
        $"OFFSET {offsetParameter} ROWS FETCH NEXT {limitParameter} ROWS ONLY";

    public override string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns)
    {
        var on = string.Join(" AND ", keyColumns.Select(c => $"t.{c} = s.{c}"));
        var updates = columns.Except(keyColumns).Select(c => $"t.{c} = s.{c}").ToList();
        var update = updates.Count == 0 ? "" : $"WHEN MATCHED THEN UPDATE SET {string.Join(", ", updates)} ";
        return $"MERGE {table} WITH (HOLDLOCK) AS t USING (SELECT {string.Join(", ", columns.Select(c => $"@{c} AS {c}"))}) AS s ON {on} " +
               $"{update}WHEN NOT MATCHED THEN INSERT ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "s." + c))});";
    }

    public override string Type(SqlType type) => type switch
    {
        SqlType.Id => "nvarchar(64)",
        SqlType.String => "nvarchar(400)",
        SqlType.Text => "nvarchar(max)",
        SqlType.Int => "int",
        SqlType.BigInt => "bigint",
        SqlType.Bool => "bit",
        SqlType.Timestamp => "datetimeoffset",
        SqlType.Blob => "varbinary(max)",
        SqlType.Double => "float",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqlException { Number: 2627 or 2601 };
}
