using Edgeplane.Plugins.Waf.Data;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// The default rule set, written for this engine (linear-time patterns, inspected after URL
/// decoding): SQL injection, cross-site scripting, path traversal and sensitive files, command
/// injection, known scanners and exploit signatures. Ids start with <c>default-</c>.
/// </summary>
public static class DefaultRules
{
    public const string SetName = "default";

    private const RuleTarget Input = RuleTarget.Path | RuleTarget.Query | RuleTarget.Body;
    private const RuleTarget Args = RuleTarget.Query | RuleTarget.Body;

    private static WafRule R(string id, string pattern, string severity, RuleTarget targets, string category) =>
        new(RuleIds.Default + id, pattern, RuleAction.Block, severity, targets, [category]);

    public static IReadOnlyList<WafRule> All { get; } =
    [
        // SQL injection
        R("sqli-union", @"(?i)\bunion\b(?:\s|/\*.*?\*/|\+)+(?:all\s+|distinct\s+)?select\b", "critical", RuleTarget.All, "sqli"),
        R("sqli-select-from", @"(?i)\bselect\b\s+[\w\s,*()`.@]+?\bfrom\s+[\w.`\[\]]+\s*(?:where\b|limit\b|order\b|group\b|union\b|;|--|#|$)", "high", Args | RuleTarget.Path, "sqli"),
        R("sqli-tautology", @"(?i)['""`]\s*\)?\s*(?:or|and|\|\||&&)\s*\(?\s*['""`]?\w*['""`]?\s*(?:=|<>|!=|<|>|\blike\b|\bis\b)\s*\(?['""`]?\w*", "critical", Input, "sqli"),
        R("sqli-numeric-tautology", @"(?i)\b(?:or|and)\s+(\d+)\s*=\s*\d+\b", "high", Input, "sqli"),
        R("sqli-comment", @"(?i)['""`]\s*\)?\s*(?:--(?:\s|$|&|[^\w-])|#(?:\s|$|&))", "high", Args, "sqli"),
        R("sqli-time", @"(?i)\b(?:sleep|benchmark|pg_sleep|dbms_lock\.sleep)\s*\(\s*[\d']", "critical", Input, "sqli"),
        R("sqli-waitfor", @"(?i)\bwaitfor\s+(?:delay|time)\s+'", "critical", Input, "sqli"),
        R("sqli-schema", @"(?i)\b(?:information_schema|sysobjects|syscolumns|pg_catalog|sqlite_master|mysql\.user)\b", "high", Input, "sqli"),
        R("sqli-stacked", @"(?i);\s*(?:drop|truncate|alter|shutdown|declare|exec)\s+\w", "critical", Input, "sqli"),
        R("sqli-drop", @"(?i)\bdrop\s+(?:table|database|schema)\b", "critical", Input, "sqli"),
        R("sqli-procedures", @"(?i)\b(?:exec|execute)\s+(?:master\.\.)?(?:xp_|sp_)\w+", "critical", Input, "sqli"),
        R("sqli-file", @"(?i)\b(?:load_file\s*\(|into\s+(?:out|dump)file\b)", "critical", Input, "sqli"),
        R("sqli-char", @"(?i)\b(?:char|chr|nchar)\s*\(\s*\d+\s*(?:,\s*\d+\s*)+\)", "medium", Input, "sqli"),
        // cross-site scripting
        R("xss-script", @"(?i)<\s*/?\s*script\b", "critical", Input | RuleTarget.Headers, "xss"),
        R("xss-javascript-uri", @"(?i)\b(?:java|vb)script\s*:", "high", Input, "xss"),
        R("xss-event-handler", @"(?i)\bon(?:error|load|mouseover|mouseout|focus|blur|click|dblclick|mouseenter|animationstart|toggle|pointerover|begin|keydown|submit)\s*=", "high", Input, "xss"),
        R("xss-tags", @"(?i)<\s*(?:iframe|object|embed|applet|meta|base|frameset|svg|math)\b", "high", Input, "xss"),
        R("xss-dom", @"(?i)\bdocument\s*\.\s*(?:cookie|write|location|domain)\b", "high", Input, "xss"),
        R("xss-functions", @"(?i)\b(?:alert|prompt|confirm|eval)\s*(?:\(|`)", "medium", Input, "xss"),
        R("xss-srcdoc", @"(?i)\b(?:srcdoc|formaction)\s*=", "high", Input, "xss"),
        // path traversal and sensitive files
        R("lfi-traversal", @"\.\.[/\\]|[/\\]\.\.(?:[/\\]|$)", "high", Input, "path_traversal"),
        R("lfi-encoded-traversal", @"(?i)(?:%2e|\.)(?:%2e|\.)(?:%2f|%5c)|%c0%ae|%252e", "high", RuleTarget.Path | RuleTarget.Query, "path_traversal"),
        R("lfi-system-files", @"(?i)(?:/etc/(?:passwd|shadow|group|hosts|issue)\b|/proc/self/(?:environ|cmdline|fd)|\b(?:win\.ini|boot\.ini|system32)\b)", "critical", Input, "path_traversal"),
        R("lfi-wrappers", @"(?i)\b(?:file|php|zip|phar|expect|glob|data)://", "high", Args | RuleTarget.Path, "path_traversal"),
        R("lfi-null-byte", @"\x00", "high", RuleTarget.Path | RuleTarget.Query, "path_traversal"),
        R("sensitive-files", @"(?i)/(?:\.(?:git|svn|hg|env|htaccess|htpasswd|DS_Store|aws|ssh)\b|wp-config\.php|phpinfo\.php|web\.config|server-status)", "medium", RuleTarget.Path, "scanner"),
        // command injection
        R("cmdi-chain", @"(?i)(?:[;|`]|\$\(|&&|\|\|)\s*(?:cat|ls|id|whoami|uname|wget|curl|nc|ncat|bash|sh|zsh|python[23]?|perl|ruby|php|ping|nslookup|ifconfig|echo|rm|chmod|base64)(?:\s|$|;|\||`|\))", "critical", Input, "command_injection"),
        R("cmdi-shells", @"(?i)(?:/bin/(?:ba|z|da)?sh\b|/usr/bin/(?:env|python|perl)\b|\bcmd(?:\.exe)?\s+/[ck]\b|\bpowershell(?:\.exe)?\s+-\w)", "critical", Input, "command_injection"),
        R("cmdi-subshell", @"\$\{IFS\}|\$\(\s*\w+[^)]*\)|`\s*(?:id|whoami|uname|cat|ls)\b[^`]*`", "high", Args | RuleTarget.Path, "command_injection"),
        R("cmdi-reverse-shell", @"(?i)/dev/(?:tcp|udp)/|\bnc(?:at)?\s+(?:-\w+\s+)*\S+\s+\d+\s+-e\b", "critical", Input, "command_injection"),
        // exploit signatures
        R("exploit-log4shell", @"(?i)\$\{(?:\s*jndi\s*:|[^}]*\$\{)", "critical", RuleTarget.All, "exploit"),
        R("exploit-shellshock", @"\(\s*\)\s*\{\s*:?\s*;?\s*\}\s*;", "critical", RuleTarget.All, "exploit"),
        R("exploit-ssti", @"\{\{\s*(?:[\w.]+\s*\(|config|self|request)\b|\$\{\s*(?:T\(|java\.|Runtime)", "high", Args, "exploit"),
        R("exploit-php-code", @"(?i)<\?php\b|\b(?:system|passthru|shell_exec|proc_open|popen)\s*\(\s*['""$]", "critical", Args, "exploit"),
        // scanners
        R("scanner-tools-1", @"(?i)\b(?:sqlmap|nikto|nmap|masscan|zgrab|nuclei|acunetix|netsparker|wpscan|dirbuster)\b", "medium", RuleTarget.Headers, "scanner"),
        R("scanner-tools-2", @"(?i)\b(?:gobuster|wfuzz|w3af|havij|openvas|arachni|fimap|commix|jaeles|feroxbuster|whatweb)\b", "medium", RuleTarget.Headers, "scanner"),
        R("scanner-probes", @"(?i)/(?:cgi-bin/(?:php|test-cgi)|phpmyadmin/|HNAP1|boaform/|\.well-known/security\.txt\.bak|actuator/(?:env|heapdump))", "medium", RuleTarget.Path, "scanner"),
    ];
}
