using Edgeplane.Plugins.Dns.Domain;
using Edgeplane.Testing;

namespace Edgeplane.Plugins.Dns.Tests.Unit;

public sealed class PublicSuffixListTests
{
    // The format of https://publicsuffix.org/list/: comments, blank lines, plain, wildcard and exception rules, Unicode rules.
    private const string List = """
        // ===BEGIN ICANN DOMAINS===
        uk
        co.uk

        // a wildcard and its exception
        *.ck
        !www.ck
        *.kawasaki.jp
        !city.kawasaki.jp
        jp
        公司.cn
        cn
        // ===BEGIN PRIVATE DOMAINS===
        github.io   trailing text after white space is not part of the rule
        """;

    private static readonly PublicSuffixList Suffixes = PublicSuffixList.Parse(new StringReader(List));

    [Theory]
    [InlineData("co.uk")]
    [InlineData("uk")]
    [InlineData("anything.ck")] // wildcard
    [InlineData("ck")]
    [InlineData("nakahara.kawasaki.jp")]
    [InlineData("xn--55qx5d.cn")] // 公司.cn, as DNS carries it
    [InlineData("github.io")] // private section
    [InlineData("example")] // unlisted top-level label: the default rule "*"
    public void Public_suffixes(string name) => Assert.True(Suffixes.IsPublicSuffix(name), name);

    [Theory]
    [InlineData("example.co.uk")]
    [InlineData("www.ck")] // exception to *.ck
    [InlineData("a.www.ck")]
    [InlineData("a.anything.ck")]
    [InlineData("city.kawasaki.jp")] // exception to *.kawasaki.jp
    [InlineData("kawasaki.jp")] // only the names below it are suffixes
    [InlineData("shop.xn--55qx5d.cn")]
    [InlineData("someone.github.io")]
    [InlineData("zone.example")]
    public void Registrable_names(string name) => Assert.False(Suffixes.IsPublicSuffix(name), name);

    [Fact]
    public void Debians_list_is_read_as_published()
    {
        using var file = File.OpenText(PublicSuffixFile.DebianPath);
        var debian = PublicSuffixList.Parse(file);
        Assert.True(debian.Count > 5000);
        Assert.True(debian.IsPublicSuffix("co.uk"));
        Assert.False(debian.IsPublicSuffix("bbc.co.uk"));
        Assert.False(debian.IsPublicSuffix("www.ck"));
    }

    [Fact]
    public void The_file_is_read_when_it_appears_and_again_when_it_changes()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("suffixes.dat");
        var file = new PublicSuffixFile(path);
        Assert.Null(file.Current());

        File.WriteAllText(path, "co.uk\n");
        Assert.True(file.Current()!.IsPublicSuffix("co.uk"));
        Assert.False(file.Current()!.IsPublicSuffix("org.uk"));

        File.WriteAllText(path, "co.uk\norg.uk\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        Assert.True(file.Current()!.IsPublicSuffix("org.uk"));

        // a file without a single rule would allow everything: it counts as unreadable
        File.WriteAllText(path, "// nothing here\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(2));
        Assert.Null(file.Current());

        File.Delete(path);
        Assert.Null(file.Current());
    }
}
