using Microsoft.AspNetCore.Builder;

namespace Edgeplane.Abstractions.Http;

/// <summary>
/// The host records every state-changing request in the audit trail. A machine-facing route of
/// high volume whose handler records the meaningful events itself (an agent's periodic report, say)
/// may opt out of that per-request row.
/// </summary>
public static class RequestAuditExtensions
{
    public static TBuilder DisableRequestAudit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.WithMetadata(new DisableRequestAuditMetadata());
}

/// <summary>Endpoint metadata: no per-request audit row for this route.</summary>
public sealed class DisableRequestAuditMetadata;
