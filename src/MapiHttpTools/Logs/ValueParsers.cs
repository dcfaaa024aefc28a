using System;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace MapiHttpTools.Logs;

/// <summary>Number, date and duration parsers that read bytes in place (invariant formats only).</summary>
internal static class ValueParsers
{
    [MethodImpl(Hot.Path)]
    public static bool TryParseInt64(byte[] buffer, int start, int length, out long value)
    {
        value = 0;
        int i = start;
        int end = start + length;
        bool negative = false;
        if (i < end && (buffer[i] == (byte)'-' || buffer[i] == (byte)'+'))
        {
            negative = buffer[i] == (byte)'-';
            i++;
        }

        if (i == end || end - i > 18)
        {
            return false;
        }

        long result = 0;
        for (; i < end; i++)
        {
            int digit = buffer[i] - (byte)'0';
            if ((uint)digit > 9)
            {
                return false;
            }

            result = (result * 10) + digit;
        }

        value = negative ? -result : result;
        return true;
    }

    public static bool TryParseDouble(byte[] buffer, int start, int length, out double value)
    {
        if (TryParseInt64(buffer, start, length, out long whole))
        {
            value = whole;
            return true;
        }

        value = 0;
        if (length == 0 || length > 64)
        {
            return false;
        }

        string text = System.Text.Encoding.ASCII.GetString(buffer, start, length);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value) && !double.IsInfinity(value);
    }

    /// <summary>
    /// "2024-03-11T08:15:02.123Z" (fraction of 0 to 7 digits, Z or no zone) as UTC ticks. The day part is cached
    /// in <paramref name="cache"/> because consecutive lines share it.
    /// </summary>
    [MethodImpl(Hot.Path)]
    public static bool TryParseIsoUtc(byte[] b, int start, int length, ref DayCache cache, out long ticks)
    {
        ticks = 0;
        if (length < 19 || b[start + 4] != (byte)'-' || b[start + 7] != (byte)'-' ||
            (b[start + 10] != (byte)'T' && b[start + 10] != (byte)' ') || b[start + 13] != (byte)':' || b[start + 16] != (byte)':')
        {
            return false;
        }

        if (!TryDay(b, start, ref cache, out long dayTicks) || !TryTimeOfDay(b, start + 11, length - 11, out long timeTicks, out int used))
        {
            return false;
        }

        int rest = length - 11 - used;
        if (rest > 1 || (rest == 1 && b[start + length - 1] != (byte)'Z'))
        {
            return false;
        }

        ticks = dayTicks + timeTicks;
        return true;
    }

    /// <summary>W3C "date" ("2024-03-11") and "time" ("08:15:02" or with a fraction) fields as UTC ticks.</summary>
    [MethodImpl(Hot.Path)]
    public static bool TryParseW3C(byte[] b, int dateStart, int dateLength, int timeStart, int timeLength, ref DayCache cache, out long ticks)
    {
        ticks = 0;
        if (dateLength != 10 || b[dateStart + 4] != (byte)'-' || b[dateStart + 7] != (byte)'-' || !TryDay(b, dateStart, ref cache, out long dayTicks))
        {
            return false;
        }

        if (!TryTimeOfDay(b, timeStart, timeLength, out long timeTicks, out int used) || used != timeLength)
        {
            return false;
        }

        ticks = dayTicks + timeTicks;
        return true;
    }

    /// <summary>A duration "hh:mm:ss[.fffffff]" (MAPI Client Access processing-time) in milliseconds.</summary>
    public static bool TryParseDurationMs(byte[] b, int start, int length, out double milliseconds)
    {
        milliseconds = 0;
        int i = start;
        int end = start + length;
        long days = 0;
        int dot = -1;
        for (int k = start; k < end && k < start + 12; k++)
        {
            if (b[k] == (byte)'.')
            {
                dot = k;
                break;
            }

            if (b[k] == (byte)':')
            {
                break;
            }
        }

        if (dot > 0)
        {
            if (!TryParseInt64(b, start, dot - start, out days))
            {
                return false;
            }

            i = dot + 1;
        }

        if (!TryTimeOfDayLoose(b, i, end - i, out long ticks, out int used) || used != end - i)
        {
            return false;
        }

        milliseconds = ((days * TimeSpan.TicksPerDay) + ticks) / (double)TimeSpan.TicksPerMillisecond;
        return true;
    }

    [MethodImpl(Hot.Path)]
    private static bool TryDay(byte[] b, int start, ref DayCache cache, out long dayTicks)
    {
        dayTicks = 0;
        if (!Digits(b, start, 4, out int year) || !Digits(b, start + 5, 2, out int month) || !Digits(b, start + 8, 2, out int day))
        {
            return false;
        }

        long key = (year * 10000L) + (month * 100) + day;
        if (cache.Valid && cache.Key == key)
        {
            dayTicks = cache.Ticks;
            return true;
        }

        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        dayTicks = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc).Ticks;
        cache = new DayCache(key, dayTicks);
        return true;
    }

    /// <summary>"HH:mm:ss" then an optional ".f..." (up to 7 digits used, more are ignored).</summary>
    [MethodImpl(Hot.Path)]
    private static bool TryTimeOfDay(byte[] b, int start, int length, out long ticks, out int used)
    {
        ticks = 0;
        used = 0;
        if (length < 8 || b[start + 2] != (byte)':' || b[start + 5] != (byte)':' ||
            !Digits(b, start, 2, out int hour) || !Digits(b, start + 3, 2, out int minute) || !Digits(b, start + 6, 2, out int second) ||
            hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        ticks = (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute) + (second * TimeSpan.TicksPerSecond);
        used = 8;
        return TryFraction(b, start, length, ref ticks, ref used);
    }

    /// <summary>Like <see cref="TryTimeOfDay"/> but hours may exceed 23 (a duration).</summary>
    private static bool TryTimeOfDayLoose(byte[] b, int start, int length, out long ticks, out int used)
    {
        ticks = 0;
        used = 0;
        if (length < 8 || b[start + 2] != (byte)':' || b[start + 5] != (byte)':' ||
            !Digits(b, start, 2, out int hour) || !Digits(b, start + 3, 2, out int minute) || !Digits(b, start + 6, 2, out int second) ||
            minute > 59 || second > 59)
        {
            return false;
        }

        ticks = (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute) + (second * TimeSpan.TicksPerSecond);
        used = 8;
        return TryFraction(b, start, length, ref ticks, ref used);
    }

    [MethodImpl(Hot.Path)]
    private static bool TryFraction(byte[] b, int start, int length, ref long ticks, ref int used)
    {
        if (used < length && b[start + used] == (byte)'.')
        {
            used++;
            long fraction = 0;
            int digits = 0;
            while (used < length && b[start + used] >= (byte)'0' && b[start + used] <= (byte)'9')
            {
                if (digits < 7)
                {
                    fraction = (fraction * 10) + (b[start + used] - (byte)'0');
                    digits++;
                }

                used++;
            }

            if (digits == 0)
            {
                return false;
            }

            for (int d = digits; d < 7; d++)
            {
                fraction *= 10;
            }

            ticks += fraction;
        }

        return true;
    }

    [MethodImpl(Hot.Path)]
    private static bool Digits(byte[] b, int start, int count, out int value)
    {
        value = 0;
        for (int k = 0; k < count; k++)
        {
            int digit = b[start + k] - (byte)'0';
            if ((uint)digit > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }
}

/// <summary>The last calendar day parsed, so lines of the same day skip the calendar arithmetic.</summary>
internal struct DayCache
{
    public DayCache(long key, long ticks)
    {
        Key = key;
        Ticks = ticks;
        Valid = true;
    }

    public long Key { get; }

    public long Ticks { get; }

    public bool Valid { get; }
}

/// <summary>
/// MethodImplOptions.AggressiveOptimization (512), which the net472 reference assemblies do not name. On
/// .NET (PowerShell 7) it compiles the per-line methods fully optimized at once instead of starting them in
/// tier-0 code, which otherwise runs for the first seconds of a read; .NET Framework ignores it.
/// </summary>
internal static class Hot
{
    public const MethodImplOptions Path = (MethodImplOptions)512;
}
