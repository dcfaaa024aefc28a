using System.Text;

namespace MapiHttpTools.Infrastructure;

/// <summary>
/// Text that came from data (files, servers, logs) on its way to the console. Control characters are made visible as
/// <c>\e</c>, <c>\a</c>, <c>\u009b</c>, ... so an ESC or BEL in a user agent, a <c>Server</c> header or a snapshot's
/// <c>CreatedBy</c> cannot set the window title or clear the screen (issue 20), and long hostile input is cut.
/// </summary>
internal static class DisplayText
{
    /// <summary>How much of an offending input an error message quotes.</summary>
    public const int DefaultMaxLength = 256;

    /// <summary>
    /// <paramref name="value"/> with every C0/C1 control character (and DEL) escaped, cut to <paramref name="maxLength"/>
    /// characters followed by "… (N more characters)". Tab, CR and LF are escaped too: data never breaks a line here.
    /// </summary>
    public static string Safe(string? value, int maxLength = DefaultMaxLength)
    {
        if (value is null)
        {
            return string.Empty;
        }

        if (!NeedsWork(value, maxLength))
        {
            return value;
        }

        var text = new StringBuilder(value.Length + 16);
        int taken = 0;
        foreach (char c in value)
        {
            if (taken >= maxLength)
            {
                break;
            }

            Append(text, c);
            taken++;
        }

        if (taken < value.Length)
        {
            text.Append("… (").Append(value.Length - taken).Append(" more characters)");
        }

        return text.ToString();
    }

    /// <summary>True when <paramref name="c"/> is a control character a terminal may act on.</summary>
    public static bool IsControl(char c) => c < 0x20 || (c >= 0x7F && c <= 0x9F);

    private static bool NeedsWork(string value, int maxLength)
    {
        if (value.Length > maxLength)
        {
            return true;
        }

        foreach (char c in value)
        {
            if (IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    private static void Append(StringBuilder text, char c)
    {
        switch (c)
        {
            case '\x1b': text.Append("\\e"); break;
            case '\a': text.Append("\\a"); break;
            case '\b': text.Append("\\b"); break;
            case '\t': text.Append("\\t"); break;
            case '\n': text.Append("\\n"); break;
            case '\r': text.Append("\\r"); break;
            case '\\': text.Append('\\'); break;
            default:
                if (IsControl(c))
                {
                    text.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append(c);
                }

                break;
        }
    }
}
