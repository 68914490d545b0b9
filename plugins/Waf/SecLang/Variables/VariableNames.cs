namespace Edgeplane.Plugins.Waf.SecLang.Variables;

/// <summary>The variables and collections rules may name. Response ones stay empty unless response inspection is on.</summary>
public static class VariableNames
{
    /// <summary>Numbers of the variables the transaction computes itself (not a collection or a single value it reads).</summary>
    public const int Args = 0, ArgsNames = 1, ArgsGetNames = 2, ArgsPostNames = 3, ArgsCombinedSize = 4, MatchedVars = 5,
        MatchedVarsNames = 6, MatchedVar = 7, MatchedVarName = 8, Xml = 9, Rule = 10, Duration = 11, TimeEpoch = 12;

    /// <summary>Every variable by number: the computed ones first (in the order of their numbers), then the rest.</summary>
    private static readonly string[] Names =
    [
        "ARGS", "ARGS_NAMES", "ARGS_GET_NAMES", "ARGS_POST_NAMES", "ARGS_COMBINED_SIZE", "MATCHED_VARS", "MATCHED_VARS_NAMES",
        "MATCHED_VAR", "MATCHED_VAR_NAME", "XML", "RULE", "DURATION", "TIME_EPOCH",
        "ARGS_GET", "ARGS_POST", "REQUEST_HEADERS", "REQUEST_HEADERS_NAMES", "REQUEST_COOKIES",
        "REQUEST_COOKIES_NAMES", "REQUEST_URI", "REQUEST_URI_RAW", "REQUEST_FILENAME", "REQUEST_BASENAME",
        "REQUEST_LINE", "REQUEST_METHOD", "REQUEST_PROTOCOL", "QUERY_STRING", "REQUEST_BODY", "REQUEST_BODY_LENGTH",
        "REQBODY_PROCESSOR", "REQBODY_ERROR", "REQBODY_ERROR_MSG", "REQBODY_PROCESSOR_ERROR", "REMOTE_ADDR",
        "REMOTE_HOST", "REMOTE_PORT", "SERVER_NAME", "SERVER_ADDR", "SERVER_PORT", "UNIQUE_ID", "FILES", "FILES_NAMES",
        "FILES_SIZES", "FILES_COMBINED_SIZE", "FILES_TMPNAMES", "MULTIPART_PART_HEADERS", "MULTIPART_STRICT_ERROR",
        "MULTIPART_UNMATCHED_BOUNDARY", "MULTIPART_FILENAME", "MULTIPART_NAME", "MULTIPART_BOUNDARY_QUOTED",
        "MULTIPART_BOUNDARY_WHITESPACE", "MULTIPART_DATA_AFTER", "MULTIPART_DATA_BEFORE", "MULTIPART_HEADER_FOLDING",
        "MULTIPART_INVALID_HEADER_FOLDING", "MULTIPART_INVALID_QUOTING", "MULTIPART_INVALID_PART", "MULTIPART_LF_LINE",
        "MULTIPART_MISSING_SEMICOLON", "MULTIPART_CRLF_LF_LINES", "MULTIPART_FILE_LIMIT_EXCEEDED", "TX", "IP",
        "GLOBAL", "SESSION", "USER", "RESOURCE", "GEO", "ENV", "TIME", "TIME_DAY", "TIME_HOUR", "TIME_MIN", "TIME_MON",
        "TIME_SEC", "TIME_WDAY", "TIME_YEAR", "HIGHEST_SEVERITY", "INBOUND_DATA_ERROR", "OUTBOUND_DATA_ERROR",
        "FULL_REQUEST", "FULL_REQUEST_LENGTH", "AUTH_TYPE", "PATH_INFO", "RESPONSE_BODY", "RESPONSE_HEADERS",
        "RESPONSE_HEADERS_NAMES", "RESPONSE_STATUS", "RESPONSE_PROTOCOL", "RESPONSE_CONTENT_TYPE",
        "RESPONSE_CONTENT_LENGTH", "STATUS_LINE", "WEBSERVER_ERROR_LOG", "USERID", "SESSIONID", "URLENCODED_ERROR",
        "STREAM_INPUT_BODY", "STREAM_OUTPUT_BODY",
    ];

    private static readonly Dictionary<string, int> Ids = Names.Select((name, id) => (name, id)).ToDictionary(n => n.name, n => n.id, StringComparer.Ordinal);

    public static int Count => Names.Length;

    public static bool IsKnown(string name) => Ids.ContainsKey(name);

    /// <summary>The variable's number (-1 for an unknown name): what a rule's target resolves to once, when it is parsed.</summary>
    public static int IdOf(string name) => Ids.GetValueOrDefault(name, -1);

    /// <summary>Collections whose members rules may write with <c>setvar</c>.</summary>
    public static bool IsWritable(string name) => name is "TX" or "IP" or "GLOBAL" or "SESSION" or "USER" or "RESOURCE";
}
