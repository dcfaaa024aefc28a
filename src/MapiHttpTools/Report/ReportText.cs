using System.Globalization;
using System.Text;

namespace MapiHttpTools.Report;

/// <summary>Escaping for the report's three formats (issue 15): nothing from the data runs or breaks the file.</summary>
internal static class ReportText
{
    /// <summary>
    /// Text for HTML element content and quoted attribute values: &amp; &lt; &gt; " ' escaped, everything else
    /// (Unicode included) kept as is. Control characters were made visible by the reader already.
    /// </summary>
    public static string Html(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var text = new StringBuilder(value!.Length + 16);
        foreach (char c in value)
        {
            switch (c)
            {
                case '&': text.Append("&amp;"); break;
                case '<': text.Append("&lt;"); break;
                case '>': text.Append("&gt;"); break;
                case '"': text.Append("&quot;"); break;
                case '\'': text.Append("&#39;"); break;
                default: text.Append(c); break;
            }
        }

        return text.ToString();
    }

    /// <summary>A JSON string literal; &lt; &gt; &amp; as \u escapes too, so the text is safe pasted into a page.</summary>
    public static string Json(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029')
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }

    /// <summary>
    /// A CSV field, always quoted. A field that starts with = + - @ (or a tab/CR) gets a leading apostrophe, so a
    /// spreadsheet shows hostile data (a user name "=HYPERLINK(...)") as text instead of running it as a formula.
    /// </summary>
    public static string Csv(string? value)
    {
        string text = value ?? string.Empty;
        if (text.Length > 0 && (text[0] is '=' or '+' or '-' or '@' or '\t' or '\r'))
        {
            text = "'" + text;
        }

        return "\"" + text.Replace("\"", "\"\"") + "\"";
    }
}
