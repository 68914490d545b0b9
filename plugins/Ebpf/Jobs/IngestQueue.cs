using System.Threading.Channels;
using Edgeplane.Plugins.Ebpf.Data;
using Edgeplane.Plugins.Ebpf.Domain;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edgeplane.Plugins.Ebpf.Jobs;

/// <summary>
/// Group commit for agent reports: one writer per host process takes every report that is waiting and
/// stores them in one transaction (one fsync on SQLite, one round of commit on PostgreSQL), then answers
/// each request. A report is acknowledged only after the transaction holding it has committed. While a
/// batch is being written the next reports queue up, so batches grow with the load and a lone report is
/// written at once (no waiting for company). A report that makes its batch fail is retried on its own,
/// so one bad report cannot fail the others.
/// </summary>
public sealed class IngestQueue : BackgroundService
{
    private sealed record Pending(NodeRow Node, AgentReport Report, TaskCompletionSource<IngestResult?> Done, CancellationToken RequestAborted);

    private readonly Channel<Pending> _channel = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ReportIngestion _ingestion;
    private readonly EbpfOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<IngestQueue> _logger;

    public IngestQueue(ReportIngestion ingestion, EbpfOptions options, TimeProvider clock, ILogger<IngestQueue> logger)
    {
        _ingestion = ingestion;
        _options = options;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Stores the report (in the next batch); completes after its commit. Null when the node is gone.</summary>
    public Task<IngestResult?> SubmitAsync(NodeRow node, AgentReport report, CancellationToken requestAborted)
    {
        var done = new TaskCompletionSource<IngestResult?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_channel.Writer.TryWrite(new Pending(node, report, done, requestAborted)))
            done.SetException(new InvalidOperationException("The host is shutting down."));
        return done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // On shutdown, stop taking new reports but write every one already accepted into the queue.
        await using var _ = stoppingToken.Register(() => _channel.Writer.TryComplete());
        var reader = _channel.Reader;
        var batch = new List<Pending>();
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            var objects = 0;
            while (batch.Count < _options.IngestBatchReports && objects < _options.IngestBatchObjects && reader.TryRead(out var item))
            {
                if (item.RequestAborted.IsCancellationRequested)
                {
                    item.Done.TrySetCanceled(item.RequestAborted); // the agent is gone and will resend
                    continue;
                }
                batch.Add(item);
                objects += item.Report.Objects.Count;
            }
            if (batch.Count > 0) await WriteAsync(batch);
        }
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        try
        {
            var results = await _ingestion.IngestBatchAsync(batch.Select(p => (p.Node, p.Report)).ToList(), _clock.GetUtcNow(), CancellationToken.None);
            for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
            return;
        }
        catch (Exception e) when (batch.Count > 1)
        {
            _logger.LogWarning(e, "A batch of {Count} reports failed; writing them one by one", batch.Count);
        }
        catch (Exception e)
        {
            batch[0].Done.TrySetException(e);
            return;
        }
        foreach (var item in batch)
        {
            try
            {
                var results = await _ingestion.IngestBatchAsync([(item.Node, item.Report)], _clock.GetUtcNow(), CancellationToken.None);
                item.Done.TrySetResult(results[0]);
            }
            catch (Exception e)
            {
                item.Done.TrySetException(e);
            }
        }
    }
}
