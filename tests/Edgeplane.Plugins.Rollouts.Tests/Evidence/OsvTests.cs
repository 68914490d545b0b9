using System.Text.Json.Nodes;
using Edgeplane.Plugins.Rollouts.Data.Evidence;
using Edgeplane.Plugins.Rollouts.Domain.Evidence;

namespace Edgeplane.Plugins.Rollouts.Tests.Evidence;

/// <summary>OSV parsing and matching, version ordering and CVSS v3 scores.</summary>
public sealed class OsvTests
{
    private static OsvRecord One(string json)
    {
        var errors = new List<string>();
        var records = Osv.Parse(JsonNode.Parse(json), errors);
        Assert.Empty(errors);
        return Assert.Single(records);
    }

    // Shaped like a real OSV export (GHSA-...: lodash prototype pollution), trimmed.
    private const string Lodash = """
    {
      "id": "GHSA-p6mc-m468-83gw", "modified": "2024-02-01T10:00:00Z", "aliases": ["CVE-2020-8203"],
      "summary": "Prototype Pollution in lodash",
      "affected": [{
        "package": { "ecosystem": "npm", "name": "lodash", "purl": "pkg:npm/lodash" },
        "ranges": [{ "type": "SEMVER", "events": [{ "introduced": "3.7.0" }, { "fixed": "4.17.19" }] }]
      }],
      "database_specific": { "severity": "HIGH" }
    }
    """;

    [Theory]
    [InlineData("4.17.15", true)]
    [InlineData("3.7.0", true)]
    [InlineData("4.17.19", false)]
    [InlineData("4.17.21", false)]
    [InlineData("3.6.9", false)]
    [InlineData("4.17.19-rc.1", true)]
    public void A_semver_range_matches_from_introduced_up_to_but_not_including_fixed(string version, bool affected)
    {
        var record = One(Lodash);
        var match = Osv.Match(record, new Component("lodash", version, $"pkg:npm/lodash@{version}"));
        Assert.Equal(affected, match is not null);
        if (affected) Assert.Equal(["4.17.19"], match!);
        Assert.Equal("high", record.Severity);
    }

    [Fact]
    public void Packages_match_by_purl_when_both_have_one_else_by_name_and_ecosystem()
    {
        var record = One(Lodash);
        Assert.NotNull(Osv.Match(record, new Component("lodash", "4.0.0", null)));               // name only
        Assert.NotNull(Osv.Match(record, new Component("LoDash", "4.0.0", null)));               // case-insensitive
        Assert.Null(Osv.Match(record, new Component("lodash", "4.0.0", "pkg:pypi/lodash@4.0.0"))); // another ecosystem's package
        Assert.Null(Osv.Match(record, new Component("lodash-es", "4.0.0", "pkg:npm/lodash-es@4.0.0")));
        Assert.Equal("pkg:npm/@angular/core", Osv.PurlBase("pkg:npm/%40angular/core@16.0.0?foo=bar"));
        Assert.Equal("pkg:npm/@angular/core", Osv.PurlBase("pkg:npm/@angular/core@16.0.0"));
    }

    [Fact]
    public void Ecosystem_ranges_last_affected_limit_and_explicit_versions()
    {
        var record = One("""
        { "id": "OSV-TEST-1", "summary": "x", "affected": [
          { "package": { "ecosystem": "PyPI", "name": "requests" },
            "ranges": [ { "type": "ECOSYSTEM", "events": [ { "introduced": "0" }, { "last_affected": "2.19.1" } ] },
                        { "type": "ECOSYSTEM", "events": [ { "introduced": "2.25.0" }, { "limit": "2.26.0" } ] },
                        { "type": "GIT", "repo": "https://example.invalid/r", "events": [ { "introduced": "abc" } ] } ],
            "versions": [ "2.20.0" ] } ] }
        """);
        bool Hit(string v) => Osv.Match(record, new Component("requests", v, "pkg:pypi/requests@" + v)) is not null;
        Assert.True(Hit("1.0"));
        Assert.True(Hit("2.19.1"));
        Assert.False(Hit("2.19.2"));
        Assert.True(Hit("2.20.0"));      // listed explicitly
        Assert.False(Hit("2.21.0"));
        Assert.True(Hit("2.25.1"));
        Assert.False(Hit("2.26.0"));     // limit is exclusive
        Assert.Equal("unknown", record.Severity);
    }

    [Fact]
    public void Imports_take_a_single_record_an_array_or_a_vulns_envelope_and_name_bad_entries()
    {
        var errors = new List<string>();
        Assert.Single(Osv.Parse(JsonNode.Parse(Lodash), errors));
        Assert.Equal(2, Osv.Parse(JsonNode.Parse($"[{Lodash}, {Lodash.Replace("GHSA-p6mc-m468-83gw", "GHSA-other")}]"), errors).Count);
        Assert.Single(Osv.Parse(JsonNode.Parse($$"""{ "vulns": [{{Lodash}}] }"""), errors));
        Assert.Empty(errors);

        Osv.Parse(JsonNode.Parse("""[{ "summary": "no id" }, { "id": "X", "affected": { } }]"""), errors);
        Assert.Equal(2, errors.Count);
        Assert.Contains(".id", errors[0]);
        Assert.Contains("affected", errors[1]);
        errors.Clear();
        Osv.Parse(JsonNode.Parse("42"), errors);
        Assert.Single(errors);
    }

    [Theory]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical")]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "medium")]
    [InlineData("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5, "medium")]
    [InlineData("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N", 3.7, "low")]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "critical")]
    public void Cvss3_base_scores_match_firsts_calculator(string vector, double score, string rating)
    {
        Assert.Equal(score, Cvss3.BaseScore(vector));
        Assert.Equal(rating, Cvss3.Rating(score));
        var record = One($$"""{ "id": "X", "severity": [{ "type": "CVSS_V3", "score": "{{vector}}" }] }""");
        Assert.Equal(rating, record.Severity);
    }

    [Theory]
    [InlineData("1.10.0", "1.9.0", 1)]
    [InlineData("v2.0", "2.0.0", 0)]
    [InlineData("1.0.0-rc.1", "1.0.0", -1)]
    [InlineData("1.0.0-alpha", "1.0.0-alpha.1", -1)]
    [InlineData("1.0.0-alpha.beta", "1.0.0-beta", -1)]
    [InlineData("1.0.0-beta.11", "1.0.0-beta.2", 1)]
    [InlineData("1.0.0+build.5", "1.0.0", 0)]
    [InlineData("2.3.4", "2.3.4.1", -1)]
    public void Versions_order_like_semver(string a, string b, int expected) =>
        Assert.Equal(expected, Math.Sign(VersionComparer.Instance.Compare(a, b)));
}
