using Edgeplane.Plugins.Dns.Domain;

namespace Edgeplane.Plugins.Dns.Tests.Unit;

/// <summary>Changes applied one after another, each checked as a single add is, and the difference the store writes.</summary>
public sealed class RecordChangeSetTests
{
    private const string Zone = "example.com";

    private static RecordChangeSet Set(params RecordInput[] existing) =>
        new(Zone, TestZones.Records(Zone, existing), ["child.example.com"], existing.Length + 1);

    [Fact]
    public void Each_change_sees_the_ones_before_it()
    {
        var set = Set(new RecordInput("www", "A", 300, "192.0.2.1"));
        Assert.True(set.Add(new RecordInput("mail", "A", 300, "192.0.2.25"), ttlGiven: true).Applied);
        // a CNAME where an earlier change of the same batch put an address
        var cname = set.Add(new RecordInput("mail", "CNAME", 300, "www.example.com"), ttlGiven: true);
        Assert.Equal(ChangeOutcome.Conflict, cname.Outcome);
        Assert.Contains("label", cname.Errors.Keys);
        // the same record twice
        Assert.Equal(ChangeOutcome.Duplicate, set.Add(new RecordInput("mail", "A", 300, "192.0.2.25"), ttlGiven: true).Outcome);
        // another TTL than the RRset's (given), or the RRset's (not given)
        Assert.Equal(ChangeOutcome.Refused, set.Add(new RecordInput("mail", "A", 600, "192.0.2.26"), ttlGiven: true).Outcome);
        Assert.Equal(300, set.Add(new RecordInput("mail", "A", null, "192.0.2.26"), ttlGiven: false).Record!.Ttl);
        // below a child zone served here
        Assert.Equal(ChangeOutcome.Refused, set.Add(new RecordInput("a.child", "A", 300, "192.0.2.9"), ttlGiven: true).Outcome);
        // invalid input
        var bad = set.Add(new RecordInput("x", "A", 300, "999.1.1.1"), ttlGiven: true);
        Assert.Equal(ChangeOutcome.Invalid, bad.Outcome);
        Assert.Contains("value", bad.Errors.Keys);
        // once the address is deleted, the CNAME fits
        var indexes = set.Records.Where(r => r.Name == "mail").Select(r => r.Index).ToList();
        foreach (var i in indexes) Assert.True(set.Delete(i).Applied);
        Assert.True(set.Add(new RecordInput("mail", "CNAME", 300, "www.example.com"), ttlGiven: true).Applied);
        Assert.Equal(ChangeOutcome.Missing, set.Delete(99).Outcome);
    }

    [Fact]
    public void An_edit_keeps_the_index_and_the_fields_it_does_not_give()
    {
        var set = Set(new RecordInput("@", "MX", 300, "mail.example.com", Priority: 10), new RecordInput("www", "A", 300, "192.0.2.1"));
        var edited = set.Edit(1, new RecordInput(null, null, null, "mx2.example.com"));
        Assert.True(edited.Applied, string.Join(";", edited.Errors.Keys));
        Assert.Equal(1, edited.Record!.Index);
        Assert.Equal(10, edited.Record.Priority);
        Assert.Equal("mx2.example.com", edited.Record.Value);
        // a refused edit leaves the record as it was
        Assert.Equal(ChangeOutcome.Invalid, set.Edit(2, new RecordInput(null, null, null, "not-an-address")).Outcome);
        Assert.Equal("192.0.2.1", set.Records.Single(r => r.Index == 2).Value);
        Assert.Equal(ChangeOutcome.Missing, set.Edit(7, new RecordInput(null, null, null, "192.0.2.2")).Outcome);

        var (removed, added) = set.Difference();
        Assert.Equal("mail.example.com", Assert.Single(removed).Value);
        Assert.Equal(1, Assert.Single(added).Index);
        Assert.Equal(3, set.NextIndex);
    }

    [Fact]
    public void Deleting_everything_and_adding_it_again_changes_nothing()
    {
        var existing = TestZones.Example;
        var set = new RecordChangeSet(Zone, TestZones.Records(Zone, existing), [], existing.Length + 1);
        foreach (var record in set.Records.ToList()) Assert.True(set.Delete(record.Index).Applied);
        foreach (var input in existing) Assert.True(set.Add(input, ttlGiven: true).Applied);
        Assert.True(set.Add(new RecordInput("new", "TXT", 300, "added"), ttlGiven: true).Applied);

        var (removed, added) = set.Difference();
        Assert.Empty(removed);
        var only = Assert.Single(added);
        Assert.Equal("new", only.Name);
        // the identical records kept their indexes, and the new one takes the next index as if nothing else was added
        Assert.Equal(Enumerable.Range(1, existing.Length + 1), set.Records.Select(r => r.Index));
        Assert.Equal(existing.Length + 2, set.NextIndex);
    }
}
