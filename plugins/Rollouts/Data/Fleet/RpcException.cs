namespace Edgeplane.Plugins.Rollouts.Data.Fleet;

// The device API's vocabulary of refusals: the stores refuse a device's request with it, the gRPC service (Api/Device)
// answers it. It lives with the stores, so that they need nothing of the device API.

/// <summary>gRPC status codes (grpc/doc/statuscodes.md).</summary>
public enum GrpcStatus
{
    Ok = 0, Cancelled = 1, Unknown = 2, InvalidArgument = 3, DeadlineExceeded = 4, NotFound = 5, AlreadyExists = 6,
    PermissionDenied = 7, ResourceExhausted = 8, FailedPrecondition = 9, Aborted = 10, OutOfRange = 11,
    Unimplemented = 12, Internal = 13, Unavailable = 14, DataLoss = 15, Unauthenticated = 16,
}

/// <summary>Ends a call with a status other than OK; the message goes to the client in <c>grpc-message</c>.</summary>
public sealed class RpcException(GrpcStatus status, string message) : Exception(message)
{
    public GrpcStatus Status { get; } = status;
}
