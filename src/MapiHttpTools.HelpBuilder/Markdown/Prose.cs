using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

namespace MapiHttpTools.HelpBuilder.Markdown;

/// <summary>
/// Turns markdown prose into the plain paragraphs that help shows: soft line breaks join with a space, a blank
/// line, a hard break (two trailing spaces or a trailing backslash) or a list item starts a new paragraph, and
/// emphasis markers and link syntax are reduced to their text. Inline code keeps its backticks, as PlatyPS does.
/// </summary>
internal static class Prose
{
    private static readonly Regex ListItem = new(@"^\s*(?:[-*+]|\d{1,3}[.)])\s+", RegexOptions.CultureInvariant);
    private static readonly Regex Link = new(@"\[(?<text>[^\]]+)\]\((?<uri>[^)\s]*)\)", RegexOptions.CultureInvariant);
    private static readonly Regex Strong = new(@"(\*\*|__)(?=\S)(?<text>.+?)(?<=\S)\1", RegexOptions.CultureInvariant);
    private static readonly Regex Escape = new(@"\\(?<char>[\\`*_{}\[\]()#+\-.!<>|])", RegexOptions.CultureInvariant);

    /// <summary>The paragraphs of a run of blocks (paragraphs and non-yaml code blocks, whose lines are kept as they are).</summary>
    public static List<string> ToParagraphs(IEnumerable<MarkdownBlock> blocks)
    {
        var paragraphs = new List<string>();
        foreach (MarkdownBlock block in blocks)
        {
            switch (block)
            {
                case ParagraphBlock paragraph:
                    paragraphs.AddRange(ToParagraphs(paragraph));
                    break;
                case CodeBlock code:
                    paragraphs.AddRange(code.Lines);
                    break;
                default:
                    throw new ArgumentException("Only paragraphs and code blocks are prose.", nameof(blocks));
            }
        }

        return paragraphs;
    }

    /// <summary>One markdown paragraph as help paragraphs (one per list item or hard break).</summary>
    public static List<string> ToParagraphs(ParagraphBlock paragraph)
    {
        var result = new List<string>();
        var current = new StringBuilder();
        bool breakAfter = false;
        foreach (string raw in paragraph.Lines)
        {
            bool hardBreak = raw.EndsWith("  ", StringComparison.Ordinal) || (raw.TrimEnd().EndsWith("\\", StringComparison.Ordinal) && !raw.TrimEnd().EndsWith("\\\\", StringComparison.Ordinal));
            string line = raw.Trim();
            if (line.EndsWith("\\", StringComparison.Ordinal) && hardBreak)
            {
                line = line.Substring(0, line.Length - 1).TrimEnd();
            }

            if (current.Length > 0 && (breakAfter || ListItem.IsMatch(line)))
            {
                result.Add(Inline(current.ToString()));
                current.Clear();
            }

            if (current.Length > 0)
            {
                current.Append(' ');
            }

            current.Append(line);
            breakAfter = hardBreak;
        }

        if (current.Length > 0)
        {
            result.Add(Inline(current.ToString()));
        }

        return result;
    }

    /// <summary>Reduces inline markdown to text: <c>**x**</c> to x, <c>[t](https://u)</c> to "t (https://u)", escapes to the character.</summary>
    public static string Inline(string text)
    {
        string withoutLinks = Link.Replace(text, m =>
        {
            string uri = m.Groups["uri"].Value;
            return IsWebUri(uri) ? $"{m.Groups["text"].Value} ({uri})" : m.Groups["text"].Value;
        });
        string plain = Strong.Replace(withoutLinks, m => m.Groups["text"].Value);
        return Escape.Replace(plain, m => m.Groups["char"].Value);
    }

    /// <summary>True for an absolute http(s) address (relative links between markdown files are not addresses).</summary>
    public static bool IsWebUri(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) && (parsed.Scheme == Uri.UriSchemeHttps || parsed.Scheme == Uri.UriSchemeHttp);
}
