namespace Edgeplane.Plugins.Dns.Tests.Unit;

/// <summary>Zone files for the import tests.</summary>
internal static class ZoneFiles
{
    /// <summary>A zone file as BIND, NSD and Knot operators write them (and as their exports look).</summary>
    public const string BindStyle = """
        ; example.com, hand written
        $ORIGIN example.com.
        $TTL 1h
        @   IN  SOA ns1.example.net. hostmaster.example.com. (
                    2024010101 ; serial
                    7200       ; refresh
                    3600 1209600 300 )
            IN  NS  ns1.example.net.
            IN  NS  ns2.example.net.
            IN  MX  10 mail          ; relative exchange
            IN  MX  20 mx.example.org.
            300 TXT "v=spf1 " "mx -all"
        @       CAA 0 issue "letsencrypt.org"
        www     300 IN A 192.0.2.80
                IN 300 AAAA 2001:DB8::80
        mail    A   192.0.2.25
        alias   CNAME www
        _sip._tcp SRV 10 5 5060 sip
        sip     IN A 192.0.2.60
        quoted  TXT "say \"hi\"; not a comment" "caf\195\169" semi\;colon
        $ORIGIN sub.example.com.
        @       86400 NS ns1
        ns1     A 192.0.2.53
        $TTL 2d
        $ORIGIN example.com.
        long    TXT ( "first"
                      "second" )
        """;
}
