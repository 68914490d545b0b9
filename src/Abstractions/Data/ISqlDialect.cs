using System.Data.Common;

namespace Edgeplane.Abstractions.Data;

/// <summary>
/// The few things that differ between the supported databases. Everything else is plain SQL
/// with Dapper's <c>@name</c> parameters, which all three providers accept.
/// </summary>
public interface ISqlDialect
{
    /// <summary><c>sqlite</c>, <c>postgres</c> or <c>sqlserver</c>.</summary>
    string Provider { get; }

    /// <summary>The paging clause that follows an <c>ORDER BY</c>.</summary>
    string Paging(string limitParameter = "@limit", string offsetParameter = "@offset");

    /// <summary>An insert-or-update statement keyed on <paramref name="keyColumns"/>; parameters are named after the columns.</summary>
    string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns);

    /// <summary>The DDL type for a portable column type (what the <c>{{token}}</c> placeholders in migrations expand to).</summary>
    string Type(SqlType type);

    /// <summary>Whether the exception reports a unique or primary-key violation (map it to 409).</summary>
    bool IsUniqueViolation(DbException exception);
}
