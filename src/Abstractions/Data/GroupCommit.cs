using System.Data.Common;

namespace Edgeplane.Abstractions.Data;

/// <summary>
/// Group commit: writes queued here while another transaction is under way are committed together in the next
/// one (at most <paramref name="maxBatch"/>, in queue order), so concurrent writers share one lock wait and one
/// commit (one fsync) instead of taking turns. <paramref name="begin"/> runs first in every transaction (the
/// writers' lock). Each write runs under a savepoint of its own: one that throws (a constraint, a bug) is rolled
/// back and fails alone, the others still commit. A write's task completes only after the commit, so a caller
/// never acknowledges what is not stored; when the commit itself fails, every write of the transaction fails.
/// </summary>
public sealed class GroupCommit(Func<CancellationToken, Task<DbConnection>> open, Func<DbConnection, DbTransaction, Task> begin,
    Action<int> committed, int maxBatch = 256)
{
    private const string Savepoint = "write";
    private readonly Lock _gate = new();
    private readonly Queue<Pending> _queue = new();
    private bool _writing;

    /// <summary>Runs <paramref name="write"/> in the next transaction; its result once that transaction has committed.</summary>
    public Task<T> RunAsync<T>(Func<DbConnection, DbTransaction, Task<T>> write, CancellationToken ct = default)
    {
        var pending = new Pending<T>(write, ct);
        lock (_gate)
        {
            _queue.Enqueue(pending);
            if (_writing) return pending.Task;
            _writing = true;
        }
        _ = Task.Run(DrainAsync, CancellationToken.None);
        return pending.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            var batch = new List<Pending>();
            lock (_gate)
            {
                while (batch.Count < maxBatch && _queue.TryDequeue(out var next))
                    if (!next.CancelIfRequested()) batch.Add(next);
                if (batch.Count == 0)
                {
                    _writing = false;
                    return;
                }
            }
            if (batch.Count > 0) await WriteAsync(batch);
        }
    }

    /// <summary>One transaction for the batch; never throws (each write's task carries its outcome).</summary>
    private async Task WriteAsync(List<Pending> batch)
    {
        try
        {
            await using var c = await open(CancellationToken.None);
            await using var tx = await c.BeginTransactionAsync();
            await begin(c, tx);
            var written = new List<Pending>(batch.Count);
            foreach (var pending in batch)
            {
                await tx.SaveAsync(Savepoint);
                try
                {
                    await pending.RunAsync(c, tx);
                }
                catch (Exception e)
                {
                    await tx.RollbackAsync(Savepoint);
                    pending.Fail(e);
                    continue;
                }
                await tx.ReleaseAsync(Savepoint);
                written.Add(pending);
            }
            if (written.Count == 0) return;
            await tx.CommitAsync();
            foreach (var pending in written) pending.Complete();
            committed(written.Count);
        }
        catch (Exception e)
        {
            foreach (var pending in batch) pending.Fail(e);
        }
    }

    private abstract class Pending
    {
        public abstract Task RunAsync(DbConnection c, DbTransaction tx);
        public abstract void Complete();
        public abstract void Fail(Exception e);
        public abstract bool CancelIfRequested();
    }

    private sealed class Pending<T>(Func<DbConnection, DbTransaction, Task<T>> write, CancellationToken ct) : Pending
    {
        private readonly TaskCompletionSource<T> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _outcome.Task;

        public override async Task RunAsync(DbConnection c, DbTransaction tx) => _result = await write(c, tx);

        public override void Complete() => _outcome.TrySetResult(_result);

        public override void Fail(Exception e) => _outcome.TrySetException(e);

        public override bool CancelIfRequested() => ct.IsCancellationRequested && _outcome.TrySetCanceled(ct);
    }
}
