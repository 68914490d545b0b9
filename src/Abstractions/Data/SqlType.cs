namespace Edgeplane.Abstractions.Data;

/// <summary>
/// Portable column types. In a migration script write them as tokens: <c>{{id}}</c>, <c>{{string}}</c>
/// (indexable text up to 400 characters), <c>{{text}}</c>, <c>{{int}}</c>, <c>{{bigint}}</c>,
/// <c>{{bool}}</c>, <c>{{timestamp}}</c> (UTC), <c>{{blob}}</c>, <c>{{double}}</c>; and the literals
/// <c>{{true}}</c> and <c>{{false}}</c>.
/// </summary>
public enum SqlType
{
    Id,
    String,
    Text,
    Int,
    BigInt,
    Bool,
    Timestamp,
    Blob,
    Double,
}
