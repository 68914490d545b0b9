namespace Edgeplane.Plugins.Dns.Domain;

/// <summary>
/// The Public Suffix List file, read at run time (Debian's <c>publicsuffix</c> package keeps it up to date) and
/// read again when it changes. <see cref="Current"/> is null while the file is missing, unreadable or holds no rule.
/// </summary>
public sealed class PublicSuffixFile(string path)
{
    public const string DebianPath = "/usr/share/publicsuffix/public_suffix_list.dat";

    private sealed record Loaded(DateTime WrittenAt, long Length, PublicSuffixList List);

    private volatile Loaded? _loaded;

    public string Path => path;

    public PublicSuffixList? Current()
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return null;
            if (_loaded is { } loaded && loaded.WrittenAt == info.LastWriteTimeUtc && loaded.Length == info.Length) return loaded.List;
            using var reader = File.OpenText(path);
            var list = PublicSuffixList.Parse(reader);
            if (list.Count == 0) return null;
            _loaded = new Loaded(info.LastWriteTimeUtc, info.Length, list);
            return list;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
