using Edgeplane.Plugins.Waf.SecLang;

namespace Edgeplane.Plugins.Waf.Engine;

/// <summary>
/// A passed request's SecLang transaction, held while the request is forwarded, to run phase 3 on the upstream's
/// status line and headers and phase 4 on its body. Disposing it lets the transaction go back for reuse.
/// </summary>
public sealed class SecLangResponseCheck(SecLangInspector inspector, SecLangTransaction transaction) : IDisposable
{
    private const string What = "the upstream's response";
    private bool _disposed;

    public SecLangFinding Headers(SecLangResponse response) => inspector.Finding(transaction.EvaluateResponseHeaders(response), What);

    public SecLangFinding Body(ReadOnlySpan<byte> body) => inspector.Finding(transaction.EvaluateResponseBody(body), What);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        inspector.Release(transaction);
    }
}
