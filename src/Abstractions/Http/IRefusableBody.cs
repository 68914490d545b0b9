namespace Edgeplane.Abstractions.Http;

/// <summary>
/// A bound request body that its binder may have refused (<see cref="Refusal"/>: the field errors). The host's validation
/// filter (<see cref="RequestValidation"/>) answers a refusal 400 before the handler runs.
/// </summary>
public interface IRefusableBody
{
    FieldErrors? Refusal { get; }
}
