using System.Runtime.CompilerServices;

namespace Edgeplane.Plugins.Waf.SecLang;

/// <summary>
/// Compares a (value, transformation chain or step) pair by reference: a request's values are strings read once into
/// its collections, so every rule on the same member sees the same instance (hashing a 64 KiB body for every rule would
/// cost more than transforming it), the loader interns chain names and each transformation is one delegate. Equal
/// strings in different instances are only cached twice.
/// </summary>
internal sealed class ByReference<T> : IEqualityComparer<(string Value, T Other)> where T : class
{
    public static readonly ByReference<T> Comparer = new();

    public bool Equals((string Value, T Other) x, (string Value, T Other) y) =>
        ReferenceEquals(x.Value, y.Value) && ReferenceEquals(x.Other, y.Other);

    public int GetHashCode((string Value, T Other) pair) =>
        HashCode.Combine(RuntimeHelpers.GetHashCode(pair.Value), RuntimeHelpers.GetHashCode(pair.Other));
}
