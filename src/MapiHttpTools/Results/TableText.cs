using System;
using System.Collections.Generic;
using System.Management.Automation.Host;
using System.Text;

namespace MapiHttpTools;

/// <summary>
/// Word wrapping for the Message column of the module's table views, and Evidence lines for its list views (format.ps1xml
/// calls both). PowerShell's own table
/// wrap cuts words at the column edge ("Autodisc / over"); issue 11 asks for no words wrapped mid-token at 120 columns.
/// Public only because format-file script blocks call it.
/// </summary>
public static class TableText
{
    /// <summary>The console width assumed when the host does not say (output redirected, a non-console host).</summary>
    public const int DefaultWidth = 120;

    /// <summary>
    /// <paramref name="text"/> wrapped at word boundaries to what a table leaves for its last column: the host's width
    /// (120 when output is redirected or the host has none) less <paramref name="usedColumns"/> (the fixed columns and the
    /// spaces between them) and one spare. A word longer than the column is cut, as nothing else fits.
    /// </summary>
    public static string Wrap(object? text, object? host, int usedColumns) =>
        WrapWords(text?.ToString() ?? string.Empty, Math.Max(24, HostWidth(host) - usedColumns - 1));

    /// <summary>The host's console width; 120 when output is redirected or the host has no raw UI.</summary>
    private static int HostWidth(object? host)
    {
        int width = DefaultWidth;
        PSHost? psHost = host switch
        {
            PSHost h => h,
            System.Management.Automation.PSObject { BaseObject: PSHost h } => h,
            _ => null,
        };
        if (!Console.IsOutputRedirected && psHost is not null)
        {
            try
            {
                int hostWidth = psHost.UI.RawUI.BufferSize.Width;
                if (hostWidth >= 40)
                {
                    width = hostWidth;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A host without a raw UI (a hosted runspace, a remote session) throws whatever it throws: a table
                // must still print, at the default width.
            }
        }

        return width;
    }

    /// <summary>
    /// As <see cref="Wrap(object?, object?, int)"/>, for a row that may have come back through remoting (issue 17): such a
    /// row carries PSShowComputerName, and PowerShell then appends a PSComputerName column of its own, which shares the
    /// space left after the fixed columns evenly with Message. The text is wrapped to that half, so that PowerShell does
    /// not cut it again mid-word ("Even / ts").
    /// </summary>
    public static string Wrap(object? text, object? host, int usedColumns, object? item)
    {
        if (item is System.Management.Automation.PSObject row && row.Properties["PSShowComputerName"]?.Value is true)
        {
            int width = HostWidth(host);
            return WrapWords(text?.ToString() ?? string.Empty, Math.Max(20, ((width - usedColumns) / 2) - 1));
        }

        return Wrap(text, host, usedColumns);
    }

    /// <summary><paramref name="text"/> in lines of at most <paramref name="width"/> characters, broken between words.</summary>
    public static string WrapWords(string text, int width)
    {
        if (width < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(width));
        }

        var lines = new List<string>();
        foreach (string paragraph in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = new StringBuilder();
            foreach (string word in paragraph.Split(' '))
            {
                string rest = word;
                if (line.Length > 0 && line.Length + 1 + rest.Length > width)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                }

                while (rest.Length > width)
                {
                    if (line.Length > 0)
                    {
                        lines.Add(line.ToString());
                        line.Clear();
                    }

                    lines.Add(rest.Substring(0, width));
                    rest = rest.Substring(width);
                }

                if (line.Length > 0)
                {
                    line.Append(' ');
                }

                line.Append(rest);
            }

            lines.Add(line.ToString());
        }

        return string.Join("\n", lines);
    }

    /// <summary>
    /// Evidence as "name = value" lines for the list views (issue 15): Format-List showed the dictionary as
    /// "{[Host, mail.contoso.lab], ...}". Values read as in EvidenceSummary (lists as "a, b, c", no type names) and are
    /// made safe for the console (DisplayText.Safe). Takes the object as the format file hands it: the dictionary, or a
    /// PSObject around it.
    /// </summary>
    public static string EvidenceLines(object? evidence)
    {
        if (evidence is System.Management.Automation.PSObject wrapped)
        {
            evidence = wrapped.BaseObject;
        }

        if (evidence is not System.Collections.IDictionary dictionary)
        {
            return string.Empty;
        }

        var lines = new List<string>(dictionary.Count);
        foreach (System.Collections.DictionaryEntry entry in dictionary)
        {
            string key = Infrastructure.DisplayText.Safe(entry.Key?.ToString() ?? string.Empty);
            lines.Add($"{key} = {Infrastructure.DisplayText.Safe(MapiHttpResult.ValueText(entry.Value, 0))}");
        }

        return string.Join("\n", lines);
    }
}
