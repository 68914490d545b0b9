using System.Data;
using System.Data.Common;

namespace Edgeplane.Plugins.Ebpf.Data;

/// <summary>
/// Inserts new object lifetimes with one prepared multi-row <c>INSERT … VALUES (…), (…)</c> per
/// <see cref="RowsFor"/> rows, reusing the same commands (and their parameters) for a whole batch
/// of reports: far fewer statements than one per row, and no SQL text parsed per report. Portable SQL
/// (SQLite and PostgreSQL both take multi-row VALUES). Timestamps are bound as the host's Dapper handler
/// binds them (UTC <see cref="DateTimeOffset"/>, <see cref="DbType.DateTimeOffset"/>).
/// </summary>
internal sealed class ObjectInserter(DbConnection connection, DbTransaction transaction, int rowsPerStatement) : IAsyncDisposable
{
    /// <summary>
    /// Rows per statement by provider. SQLite (Microsoft.Data.Sqlite) binds every parameter by name, and
    /// finding a name is a linear search of the statement's names: a 50-row statement (550 parameters)
    /// spent most of its time comparing parameter names. A few rows per prepared statement is fastest
    /// there; PostgreSQL gains from fewer round trips.
    /// </summary>
    public static int RowsFor(string provider) => provider == "sqlite" ? 8 : 50;
    private static readonly string[] Columns = ["row_id", "team_id", "node_id", "kind", "object_id", "identity", "type", "name", "detail", "first_seen", "last_seen"];

    private readonly Dictionary<int, DbCommand> _commands = [];
    private readonly List<object[]> _pending = [];

    public async Task AddAsync(string rowId, string teamId, string nodeId, ReportedObject o, DateTimeOffset now, CancellationToken ct)
    {
        _pending.Add([rowId, teamId, nodeId, o.Kind, o.Id, o.Identity, o.Type, o.Name, o.Detail, now.ToUniversalTime(), now.ToUniversalTime()]);
        if (_pending.Count == rowsPerStatement) await FlushAsync(ct);
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.Count == 0) return;
        var command = Command(_pending.Count);
        var p = 0;
        foreach (var row in _pending)
            foreach (var value in row)
                command.Parameters[p++].Value = value;
        _pending.Clear();
        await command.ExecuteNonQueryAsync(ct);
    }

    private DbCommand Command(int rows)
    {
        if (_commands.TryGetValue(rows, out var command)) return command;
        command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new System.Text.StringBuilder("INSERT INTO ebpf_objects (")
            .Append(string.Join(", ", Columns)).Append(", disappeared_at) VALUES ");
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var col = 0; col < Columns.Length; col++)
            {
                var name = $"@p{r}_{col}";
                sql.Append(col == 0 ? "" : ", ").Append(name);
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.DbType = col switch
                {
                    4 => DbType.Int64,
                    9 or 10 => DbType.DateTimeOffset,
                    _ => DbType.String,
                };
                command.Parameters.Add(parameter);
            }
            sql.Append(", NULL)");
        }
        command.CommandText = sql.ToString();
        _commands[rows] = command;
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values) await command.DisposeAsync();
    }
}
