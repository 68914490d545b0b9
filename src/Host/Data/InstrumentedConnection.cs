using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Edgeplane.Host.Data;

/// <summary>
/// A provider connection whose commands report their duration to <see cref="DataMetrics"/>.
/// Everything else is the provider's own; transactions are the provider's objects.
/// </summary>
public sealed class InstrumentedConnection(DbConnection inner, DataMetrics metrics, string provider, Func<string?> plugin) : DbConnection
{
    public DbConnection Inner => inner;

    [AllowNull]
    public override string ConnectionString { get => inner.ConnectionString; set => inner.ConnectionString = value; }
    public override string Database => inner.Database;
    public override string DataSource => inner.DataSource;
    public override string ServerVersion => inner.ServerVersion;
    public override ConnectionState State => inner.State;

    public override void ChangeDatabase(string databaseName) => inner.ChangeDatabase(databaseName);
    public override void Close() => inner.Close();
    public override void Open() => inner.Open();
    public override Task OpenAsync(CancellationToken cancellationToken) => inner.OpenAsync(cancellationToken);

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => inner.BeginTransaction(isolationLevel);

    protected override ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken) =>
        inner.BeginTransactionAsync(isolationLevel, cancellationToken);

    protected override DbCommand CreateDbCommand() => new InstrumentedCommand(inner.CreateCommand(), this);

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    private void Record(long started, string operation, bool failed) =>
        metrics.Record(started, provider, operation, plugin(), failed);

    private sealed class InstrumentedCommand(DbCommand command, InstrumentedConnection owner) : DbCommand
    {
        [AllowNull]
        public override string CommandText { get => command.CommandText; set => command.CommandText = value; }
        public override int CommandTimeout { get => command.CommandTimeout; set => command.CommandTimeout = value; }
        public override CommandType CommandType { get => command.CommandType; set => command.CommandType = value; }
        public override bool DesignTimeVisible { get => command.DesignTimeVisible; set => command.DesignTimeVisible = value; }
        public override UpdateRowSource UpdatedRowSource { get => command.UpdatedRowSource; set => command.UpdatedRowSource = value; }
        protected override DbConnection? DbConnection { get => owner; set { } }
        protected override DbParameterCollection DbParameterCollection => command.Parameters;
        protected override DbTransaction? DbTransaction { get => command.Transaction; set => command.Transaction = value; }

        public override void Cancel() => command.Cancel();
        public override void Prepare() => command.Prepare();
        protected override DbParameter CreateDbParameter() => command.CreateParameter();

        public override int ExecuteNonQuery() => Time("execute", command.ExecuteNonQuery);
        public override object? ExecuteScalar() => Time("scalar", command.ExecuteScalar);
        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Time("query", () => command.ExecuteReader(behavior));

        public override Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken) => TimeAsync("execute", () => command.ExecuteNonQueryAsync(cancellationToken));
        public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken) => TimeAsync("scalar", () => command.ExecuteScalarAsync(cancellationToken));
        protected override Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) =>
            TimeAsync("query", () => command.ExecuteReaderAsync(behavior, cancellationToken));

        protected override void Dispose(bool disposing)
        {
            if (disposing) command.Dispose();
            base.Dispose(disposing);
        }

        private T Time<T>(string operation, Func<T> run)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var result = run();
                owner.Record(started, operation, failed: false);
                return result;
            }
            catch
            {
                owner.Record(started, operation, failed: true);
                throw;
            }
        }

        private async Task<T> TimeAsync<T>(string operation, Func<Task<T>> run)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var result = await run();
                owner.Record(started, operation, failed: false);
                return result;
            }
            catch
            {
                owner.Record(started, operation, failed: true);
                throw;
            }
        }
    }
}
