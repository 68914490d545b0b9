using System.Data;
using System.Globalization;
using Dapper;

namespace Edgeplane.Host.Data;

/// <summary>
/// Timestamps are <see cref="DateTimeOffset"/> in UTC everywhere. SQLite stores them as ISO-8601
/// text (sortable, since the offset is always zero) and PostgreSQL may return <see cref="DateTime"/>.
/// </summary>
public static class DapperTypeHandlers
{
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return;
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
    }

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            parameter.DbType = DbType.DateTimeOffset;
            parameter.Value = value.ToUniversalTime();
        }

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset d => d.ToUniversalTime(),
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            string s => ParseText(s),
            _ => throw new DataException($"cannot read a timestamp from {value.GetType().Name}"),
        };

        // Microsoft.Data.Sqlite writes "2026-11-23 17:40:00.1234567+00:00": an exact parse is several times
        // cheaper than the general one, which remains for text written any other way.
        private static DateTimeOffset ParseText(string s) =>
            (DateTimeOffset.TryParseExact(s, SqliteFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var exact)
                ? exact
                : DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)).ToUniversalTime();

        private const string SqliteFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz";
    }
}
