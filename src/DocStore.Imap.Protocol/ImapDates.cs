using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DocStore.Imap.Protocol;

/// <summary>
/// IMAP dates (RFC 9051 §9): <c>date-time</c> as in INTERNALDATE and APPEND,
/// <c>"dd-Mon-yyyy hh:mm:ss +zzzz"</c>, and the SEARCH <c>date</c>, <c>1-Feb-1994</c>.
/// </summary>
public static class ImapDates
{
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>Formats a date-time without the quotes, day as two digits.</summary>
    public static string FormatDateTime(DateTimeOffset value)
    {
        var offset = (int)value.Offset.TotalMinutes;
        var sign = offset < 0 ? '-' : '+';
        offset = Math.Abs(offset);
        return string.Create(CultureInfo.InvariantCulture,
            $"{value.Day:00}-{Months[value.Month - 1]}-{value.Year:0000} {value.Hour:00}:{value.Minute:00}:{value.Second:00} {sign}{offset / 60:00}{offset % 60:00}");
    }

    /// <summary>The length of a formatted date-time without the quotes: <c>dd-Mon-yyyy hh:mm:ss +zzzz</c>.</summary>
    public const int DateTimeLength = 26;

    /// <summary>
    /// Writes what <see cref="FormatDateTime(DateTimeOffset)"/> returns as ASCII bytes, without a
    /// string: a first sync writes one INTERNALDATE per message. Returns <see cref="DateTimeLength"/>.
    /// </summary>
    public static int FormatDateTime(DateTimeOffset value, Span<byte> destination)
    {
        var d = destination[..DateTimeLength];
        var offset = (int)value.Offset.TotalMinutes;
        Two(d, 0, value.Day);
        d[2] = (byte)'-';
        var month = Months[value.Month - 1];
        d[3] = (byte)month[0];
        d[4] = (byte)month[1];
        d[5] = (byte)month[2];
        d[6] = (byte)'-';
        Two(d, 7, value.Year / 100);
        Two(d, 9, value.Year % 100);
        d[11] = (byte)' ';
        Two(d, 12, value.Hour);
        d[14] = (byte)':';
        Two(d, 15, value.Minute);
        d[17] = (byte)':';
        Two(d, 18, value.Second);
        d[20] = (byte)' ';
        d[21] = offset < 0 ? (byte)'-' : (byte)'+';
        offset = Math.Abs(offset);
        Two(d, 22, offset / 60);
        Two(d, 24, offset % 60);
        return DateTimeLength;

        static void Two(Span<byte> span, int at, int n)
        {
            span[at] = (byte)('0' + n / 10);
            span[at + 1] = (byte)('0' + n % 10);
        }
    }

    /// <summary>
    /// Parses a date-time without the quotes: date-day-fixed is <c>SP DIGIT</c> or <c>2DIGIT</c>,
    /// the month in any case (RFC 9051 §9: date-month is case-insensitive).
    /// </summary>
    public static bool TryParseDateTime(string text, out DateTimeOffset value)
    {
        value = default;
        var s = text.AsSpan();
        if (s.Length != 26 || s[2] != '-' || s[6] != '-' || s[11] != ' ' || s[14] != ':' || s[17] != ':' || s[20] != ' ' || s[21] is not ('+' or '-'))
        {
            return false;
        }

        var dayText = s[0] == ' ' ? s[1..2] : s[..2];
        if (!TryDigits(dayText, out var day) || !TryMonth(s[3..6], out var month) || !TryDigits(s[7..11], out var year) ||
            !TryDigits(s[12..14], out var hour) || !TryDigits(s[15..17], out var minute) || !TryDigits(s[18..20], out var second) ||
            !TryDigits(s[22..24], out var zoneHours) || !TryDigits(s[24..26], out var zoneMinutes))
        {
            return false;
        }

        var zone = (zoneHours * 60) + zoneMinutes;
        if (hour > 23 || minute > 59 || second > 60 || zoneMinutes > 59 || zone > 14 * 60 || year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        // RFC 5322 leap seconds: keep the instant valid by folding :60 into :59.
        value = new DateTimeOffset(year, month, day, hour, minute, Math.Min(second, 59), TimeSpan.FromMinutes(s[21] == '-' ? -zone : zone));
        return true;
    }

    /// <summary>Formats a SEARCH date: day without padding (<c>1-Feb-1994</c>).</summary>
    public static string FormatDate(DateOnly value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value.Day}-{Months[value.Month - 1]}-{value.Year:0000}");

    /// <summary>Parses a SEARCH date (date-text, without quotes): <c>1*2DIGIT "-" month "-" 4DIGIT</c>.</summary>
    public static bool TryParseDate(string text, [NotNullWhen(true)] out DateOnly? value)
    {
        value = null;
        var parts = text.Split('-');
        if (parts.Length != 3 || parts[0].Length is < 1 or > 2 || parts[2].Length != 4 ||
            !TryDigits(parts[0], out var day) || !TryMonth(parts[1], out var month) || !TryDigits(parts[2], out var year) ||
            year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        value = new DateOnly(year, month, day);
        return true;
    }

    private static bool TryMonth(ReadOnlySpan<char> text, out int month)
    {
        for (var i = 0; i < Months.Length; i++)
        {
            if (text.Equals(Months[i], StringComparison.OrdinalIgnoreCase))
            {
                month = i + 1;
                return true;
            }
        }

        month = 0;
        return false;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return text.Length > 0;
    }
}
