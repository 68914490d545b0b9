using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Integration;

/// <summary>
/// Concurrent single writes on real SQLite and PostgreSQL: writes that arrive while the writers' lock is taken are
/// committed together (group commit), every acknowledged record is stored and served, each zone's serial moves one
/// step per write, the change feed stays dense and in order, and a write that fails (bad input, a conflict, or the
/// database refusing its row) fails alone and changes nothing. A write's audit rows (its own and its request's) commit
/// in the write's transaction, and nothing acknowledged is lost when the host is killed (SIGKILL) right after.
/// </summary>
public sealed partial class ConcurrentWriteTests(Postgres postgres)
{
    private const string RefusedValue = "192.0.2.66";

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Concurrent_adds_are_committed_together_and_a_failing_one_fails_alone(string provider)
    {
        using var dir = new TempDirectory();
        var database = await TestSql.CreateAsync(provider, postgres, dir);
        var port = FreePort.Next();
        await using var host = await HostProcess.StartAsync(ChangeFeedTests.Options(database, port, "ep_test_" + Guid.NewGuid().ToString("N")));
        using var api = new HttpClient { BaseAddress = new Uri(host.BaseAddress, "/dns/api/"), Timeout = TimeSpan.FromSeconds(60) };
        api.DefaultRequestHeaders.Add("X-API-Key", host.AdminKey);

        string[] many = [.. Enumerable.Range(1, 8).Select(i => $"many{i}.example")];
        foreach (var zone in many.Prepend("one.example"))
            await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);
        await api.PostJsonAsync("zone/one.example/add", new { label = "taken", type = "A", value = "192.0.2.1" }, HttpStatusCode.Created);
        // The database itself refuses one row (a real constraint failure inside the shared transaction).
        await database.QueryAsync(provider == "postgres"
            ? $"CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.value = '{RefusedValue}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$; " +
              "CREATE TRIGGER refuse_row BEFORE INSERT ON dns_records FOR EACH ROW EXECUTE FUNCTION refuse_row()"
            : $"CREATE TRIGGER refuse_row BEFORE INSERT ON dns_records WHEN NEW.value = '{RefusedValue}' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
        var (transactionsBefore, writesBefore) = await WriteMetricsAsync(host);
        var auditRowsBefore = await AuditRowsWrittenAloneAsync(host);

        // 30 adds to one zone and 30 spread over eight, plus three that must fail, all sent while the lock is held.
        var adds = new List<(string Zone, object Body, HttpStatusCode Expected)>();
        for (var i = 0; i < 30; i++)
        {
            adds.Add(("one.example", new { label = $"one{i}", type = "A", value = $"198.51.100.{i + 1}" }, HttpStatusCode.Created));
            adds.Add((many[i % many.Length], new { label = $"many{i}", type = "A", value = $"203.0.113.{i + 1}" }, HttpStatusCode.Created));
        }
        adds.Insert(10, ("one.example", new { label = "taken", type = "A", value = "192.0.2.1" }, HttpStatusCode.Conflict));
        adds.Insert(20, ("one.example", new { label = "taken", type = "CNAME", value = "elsewhere.example" }, HttpStatusCode.BadRequest));
        adds.Insert(30, ("one.example", new { label = "refused", type = "A", value = RefusedValue }, HttpStatusCode.InternalServerError));
        var held = await database.HoldWritersLockAsync();
        var sent = adds.Select(async add =>
        {
            using var response = await api.PostAsJsonAsync($"zone/{add.Zone}/add", add.Body);
            var text = await response.Content.ReadAsStringAsync();
            return (add.Zone, add.Expected, Status: response.StatusCode, Body: response.StatusCode == HttpStatusCode.Created ? JsonNode.Parse(text)!.AsObject() : null);
        }).ToList();
        await Task.Delay(1500);
        Assert.DoesNotContain(sent, s => s.IsCompleted);
        await held.DisposeAsync();
        var answers = await Task.WhenAll(sent);
        Assert.All(answers, a => Assert.Equal(a.Expected, a.Status));

        // Group commit: the 63 writes took a few transactions, not one each.
        var (transactionsAfter, writesAfter) = await WriteMetricsAsync(host);
        Assert.True(writesAfter - writesBefore >= 60, $"{writesAfter - writesBefore} writes counted");
        Assert.True(transactionsAfter - transactionsBefore <= 10, $"{writesAfter - writesBefore} writes in {transactionsAfter - transactionsBefore} transactions");

        // The audit trail: each acknowledged add's rows (the change and the request) were committed in its write's
        // transaction; only the three failed requests' rows took the audit writer's own transactions.
        Assert.Equal(3, await AuditRowsWrittenAloneAsync(host) - auditRowsBefore);
        foreach (var zone in many.Prepend("one.example"))
        {
            var acknowledged = answers.Count(a => a.Zone == zone && a.Body is not null) + (zone == "one.example" ? 1 : 0);
            Assert.Equal(acknowledged.ToString(), Assert.Single(await database.QueryAsync($"SELECT COUNT(*) FROM host_audit WHERE action = 'dns.record.add' AND target = '{zone}'")));
            var requests = $"FROM host_audit WHERE action LIKE 'POST %/add' AND target LIKE '%/zone/{zone}/add'";
            Assert.Equal($"{acknowledged + (zone == "one.example" ? 3 : 0)}", Assert.Single(await database.QueryAsync("SELECT COUNT(*) " + requests)));
            Assert.Equal(zone == "one.example" ? [$"201|{acknowledged}", "400|1", "409|1", "500|1"] : [$"201|{acknowledged}"],
                await database.QueryAsync($"SELECT status, COUNT(*) {requests} GROUP BY status ORDER BY status"));
        }

        // Every acknowledged record is stored under the index it was given, nothing else, and served.
        foreach (var zone in many.Prepend("one.example"))
        {
            var acknowledged = answers.Where(a => a.Zone == zone && a.Body is not null).Select(a => $"{a.Body!["index"]} {a.Body["label"]} {a.Body["value"]}").ToHashSet();
            var stored = (await api.GetJsonAsync($"zone/{zone}/records"))["records"]!.AsArray()
                .Select(r => $"{r!["index"]} {r["label"]} {r["value"]}").Where(r => !r.EndsWith(" 192.0.2.1", StringComparison.Ordinal)).ToHashSet();
            Assert.Equal(acknowledged.Order(), stored.Order());
        }
        Assert.Empty(await database.QueryAsync($"SELECT idx FROM dns_records WHERE value = '{RefusedValue}'"));
        foreach (var (zone, label, value) in new[] { ("one.example", "one29", "198.51.100.30"), (many[29 % many.Length], "many29", "203.0.113.30") })
            await DnsServerTests.WaitForAsync(() => Udp.HasAsync(port, $"{label}.{zone}", value), 5000);

        // The feed: dense positions; per zone one row per write, each serial one after the previous; the zone's serial at its last row.
        var rows = (await database.QueryAsync("SELECT position, zone_name, old_serial, serial FROM dns_changes ORDER BY position"))
            .Select(r => r.Split('|')).Select(r => (Position: long.Parse(r[0]), Zone: r[1], Old: long.Parse(r[2]), Serial: long.Parse(r[3]))).ToList();
        Assert.Equal(Enumerable.Range(0, rows.Count).Select(i => rows[0].Position + i), rows.Select(r => r.Position));
        foreach (var zone in rows.GroupBy(r => r.Zone))
        {
            var serials = zone.Select(r => (r.Old, r.Serial)).ToList();
            Assert.Equal((1L, 1L), serials[0]);
            for (var i = 1; i < serials.Count; i++) Assert.Equal((serials[i - 1].Serial, serials[i - 1].Serial + 1), serials[i]);
            var current = Assert.Single(await database.QueryAsync($"SELECT serial FROM dns_zones WHERE name = '{zone.Key}'"));
            Assert.Equal(serials[^1].Serial, long.Parse(current));
        }
        Assert.Equal(1 + 30 + 1, rows.Count(r => r.Zone == "one.example"));
        Assert.Equal(many.Length + 30, rows.Count(r => r.Zone.StartsWith("many", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Adds_acknowledged_before_a_kill_9_are_stored_with_their_audit_rows(string provider)
    {
        using var dir = new TempDirectory();
        var database = await TestSql.CreateAsync(provider, postgres, dir);
        var port = FreePort.Next();
        var key = "ep_test_" + Guid.NewGuid().ToString("N");
        var host = await HostProcess.StartAsync(ChangeFeedTests.Options(database, port, key));
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        var killed = false;
        try
        {
            using var api = new HttpClient { BaseAddress = new Uri(host.BaseAddress, "/dns/api/"), Timeout = TimeSpan.FromSeconds(60) };
            api.DefaultRequestHeaders.Add("X-API-Key", host.AdminKey);
            string[] zones = ["kill1.example", "kill2.example", "kill3.example"];
            foreach (var zone in zones) await api.PostJsonAsync("zones/add", new { zone }, HttpStatusCode.Created);

            // Clients add records without pause; the host is killed as soon as 30 adds have been acknowledged, others in flight.
            var clients = Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
            {
                for (var i = 0; ; i++)
                {
                    var zone = zones[(c + i) % zones.Length];
                    var label = $"c{c}-{i}";
                    try
                    {
                        using var response = await api.PostAsJsonAsync($"zone/{zone}/add", new { label, type = "A", value = "192.0.2.7" });
                        if (response.StatusCode == HttpStatusCode.Created) acknowledged.Add($"{zone} {label}");
                    }
                    catch (HttpRequestException)
                    {
                        return; // the host is gone
                    }
                }
            })).ToList();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (acknowledged.Count < 30 && DateTime.UtcNow < deadline) await Task.Delay(5);
            await host.DisposeAsync(); // SIGKILL
            killed = true;
            await Task.WhenAll(clients);
        }
        finally
        {
            if (!killed) await host.DisposeAsync();
        }
        Assert.True(acknowledged.Count >= 30, $"{acknowledged.Count} adds acknowledged");

        await using var again = await HostProcess.StartAsync(ChangeFeedTests.Options(database, port, key));
        var stored = (await database.QueryAsync("SELECT z.name || ' ' || r.name FROM dns_records r JOIN dns_zones z ON z.id = r.zone_id")).ToHashSet();
        var audited = (await database.QueryAsync("SELECT target || ' ' || details FROM host_audit WHERE action = 'dns.record.add'")).ToList();
        foreach (var add in acknowledged)
        {
            Assert.Contains(add, stored);
            var (zone, label) = (add.Split(' ')[0], add.Split(' ')[1]);
            Assert.Contains(audited, a => a.StartsWith(zone + " ", StringComparison.Ordinal) && a.Contains($"\"name\":\"{label}\"", StringComparison.Ordinal));
        }
        var requests = await database.QueryAsync("SELECT COUNT(*) FROM host_audit WHERE action LIKE 'POST %/add' AND status = 201 AND target LIKE '%/zone/kill%'");
        Assert.True(long.Parse(Assert.Single(requests)) >= acknowledged.Count, $"{requests[0]} request rows for {acknowledged.Count} acknowledged adds");
        var last = acknowledged.First().Split(' ');
        await DnsServerTests.WaitForAsync(() => Udp.HasAsync(port, $"{last[1]}.{last[0]}", "192.0.2.7"), 10000);
    }

    /// <summary>Audit rows the host's audit writer committed in transactions of its own.</summary>
    private static async Task<long> AuditRowsWrittenAloneAsync(HostProcess host)
    {
        var metrics = await host.Client.GetStringAsync("/metrics");
        return AuditRows().Matches(metrics).Sum(m => long.Parse(m.Groups[1].Value));
    }

    [GeneratedRegex(@"^edgeplane_audit_writes_total(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex AuditRows();

    [GeneratedRegex(@"^edgeplane_dns_record_write(s|_transactions)_total(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex WriteCounter();

    private static async Task<(long Transactions, long Writes)> WriteMetricsAsync(HostProcess host)
    {
        var metrics = await host.Client.GetStringAsync("/metrics");
        long Sum(string kind) => WriteCounter().Matches(metrics).Where(m => m.Groups[1].Value == kind).Sum(m => long.Parse(m.Groups[2].Value));
        return (Sum("_transactions"), Sum("s"));
    }
}
