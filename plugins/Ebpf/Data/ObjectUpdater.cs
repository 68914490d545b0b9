using System.Data;
using System.Data.Common;

namespace Edgeplane.Plugins.Ebpf.Data;

/// <summary>
/// Rewrites changed objects (new run counters and the like) set-wise: one prepared
/// <c>UPDATE ebpf_objects … FROM (VALUES (…), (…)) AS v WHERE row_id = v.column1</c> per
/// <see cref="RowsFor"/> rows, instead of one statement (and, on PostgreSQL, one round trip) per
/// object. SQLite (3.33+) and PostgreSQL both name the columns of an unaliased <c>VALUES</c>
/// <c>column1, column2, …</c>; other providers get one statement per row.
/// </summary>
internal sealed class ObjectUpdater(DbConnection connection, DbTransaction transaction, string provider) : IAsyncDisposable
{
    private readonly Dictionary<int, DbCommand> _commands = [];
    private readonly List<(string RowId, string Detail, string Name)> _pending = [];
    private readonly int _rowsPerStatement = provider switch { "sqlite" => 16, "postgres" => 100, _ => 1 };
    private DateTimeOffset _now;

    public async Task AddAsync(string rowId, string detail, string name, DateTimeOffset now, CancellationToken ct)
    {
        if (_pending.Count > 0 && _now != now) await FlushAsync(ct);
        _now = now;
        _pending.Add((rowId, detail, name));
        if (_pending.Count == _rowsPerStatement) await FlushAsync(ct);
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        if (_pending.Count == 0) return;
        var command = Command(_pending.Count);
        command.Parameters[0].Value = _now.ToUniversalTime();
        var p = 1;
        foreach (var (rowId, detail, name) in _pending)
        {
            command.Parameters[p++].Value = rowId;
            command.Parameters[p++].Value = detail;
            command.Parameters[p++].Value = name;
        }
        _pending.Clear();
        await command.ExecuteNonQueryAsync(ct);
    }

    private DbCommand Command(int rows)
    {
        if (_commands.TryGetValue(rows, out var command)) return command;
        command = connection.CreateCommand();
        command.Transaction = transaction;
        Add(command, "@now", DbType.DateTimeOffset);
        if (_rowsPerStatement == 1)
        {
            command.CommandText = "UPDATE ebpf_objects SET detail = @d0, name = @n0, last_seen = @now WHERE row_id = @r0";
            Add(command, "@r0", DbType.String);
            Add(command, "@d0", DbType.String);
            Add(command, "@n0", DbType.String);
        }
        else
        {
            var values = new System.Text.StringBuilder();
            for (var r = 0; r < rows; r++)
            {
                values.Append(r == 0 ? "" : ", ").Append($"(@r{r}, @d{r}, @n{r})");
                Add(command, $"@r{r}", DbType.String);
                Add(command, $"@d{r}", DbType.String);
                Add(command, $"@n{r}", DbType.String);
            }
            command.CommandText = "UPDATE ebpf_objects SET detail = v.column2, name = v.column3, last_seen = @now " +
                $"FROM (VALUES {values}) AS v WHERE ebpf_objects.row_id = v.column1";
        }
        _commands[rows] = command;
        return command;
    }

    private static void Add(DbCommand command, string name, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values) await command.DisposeAsync();
    }
}
