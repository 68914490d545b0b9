using System.Data.Common;
using Edgeplane.Abstractions.Data;

namespace Edgeplane.Host.Data;

/// <summary>The host's side of a dialect: the SDK surface plus what only the host needs (locks).</summary>
public abstract class SqlDialect : ISqlDialect
{
    public abstract string Provider { get; }

    public virtual string Paging(string limitParameter = "@limit", string offsetParameter = "@offset") =>
        $"LIMIT {limitParameter} OFFSET {offsetParameter}";

    public virtual string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns)
    {
        var updates = columns.Except(keyColumns).Select(c => $"{c} = excluded.{c}").ToList();
        var conflict = updates.Count == 0 ? "DO NOTHING" : "DO UPDATE SET " + string.Join(", ", updates);
        return $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "@" + c))}) " +
               $"ON CONFLICT ({string.Join(", ", keyColumns)}) {conflict}";
    }

    public abstract string Type(SqlType type);

    public abstract bool IsUniqueViolation(DbException exception);

    /// <summary>SQL run first inside the migration transaction so that concurrent hosts migrate one at a time (empty when the transaction itself serialises).</summary>
    public abstract string MigrationLock { get; }

    /// <summary>Expands the <c>{{token}}</c> placeholders of a migration script.</summary>
    public string Expand(string script)
    {
        foreach (var type in Enum.GetValues<SqlType>())
            script = script.Replace("{{" + type.ToString().ToLowerInvariant() + "}}", Type(type), StringComparison.Ordinal);
        return script.Replace("{{true}}", TrueLiteral, StringComparison.Ordinal).Replace("{{false}}", FalseLiteral, StringComparison.Ordinal);
    }

    protected virtual string TrueLiteral => "TRUE";
    protected virtual string FalseLiteral => "FALSE";
}
