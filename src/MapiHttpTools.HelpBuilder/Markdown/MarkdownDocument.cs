using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace MapiHttpTools.HelpBuilder.Markdown;

/// <summary>A block of a markdown file, with the 1-based line it starts on (for error messages).</summary>
internal abstract record MarkdownBlock(int Line);

/// <summary><c>## Text</c>: Level is the number of hashes.</summary>
internal sealed record HeadingBlock(int Line, int Level, string Text) : MarkdownBlock(Line);

/// <summary>Consecutive non-blank lines of prose, as written (trailing spaces kept: two of them are a hard break).</summary>
internal sealed record ParagraphBlock(int Line, IReadOnlyList<string> Lines) : MarkdownBlock(Line);

/// <summary>A fenced code block: Info is the word after the opening fence (<c>powershell</c>, <c>yaml</c>, or empty).</summary>
internal sealed record CodeBlock(int Line, string Info, IReadOnlyList<string> Lines) : MarkdownBlock(Line)
{
    public string Text => string.Join("\n", Lines);
}

/// <summary>One <c>key: value</c> line of the front matter.</summary>
internal sealed record FrontMatterEntry(int Line, string Key, string Value);

/// <summary>
/// The block structure of one markdown file: the subset PlatyPS help files use (front matter, ATX headings,
/// fenced code blocks, paragraphs). Anything else is prose; the help parsers decide what is allowed where.
/// </summary>
internal sealed class MarkdownDocument
{
    private static readonly Regex HeadingPattern = new(@"^(?<hashes>#{1,6})(?:[ \t]+(?<text>.*?))?[ \t]*#*[ \t]*$", RegexOptions.CultureInvariant);
    private static readonly Regex FencePattern = new(@"^(?<indent> {0,3})(?<fence>`{3,}|~{3,})[ \t]*(?<info>[^`\s]*)[^`]*$", RegexOptions.CultureInvariant);

    private MarkdownDocument(string path, IReadOnlyList<FrontMatterEntry>? frontMatter, IReadOnlyList<MarkdownBlock> blocks)
    {
        Path = path;
        FrontMatter = frontMatter;
        Blocks = blocks;
    }

    /// <summary>The file the document came from, as given (used in error messages).</summary>
    public string Path { get; }

    /// <summary>The <c>---</c> delimited header, or null when the file has none.</summary>
    public IReadOnlyList<FrontMatterEntry>? FrontMatter { get; }

    public IReadOnlyList<MarkdownBlock> Blocks { get; }

    public static MarkdownDocument Parse(string path, string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        string[] lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        if (lines.Length > 0 && lines[0].Length > 0 && lines[0][0] == '\uFEFF')
        {
            lines[0] = lines[0].Substring(1);
        }

        int index = 0;
        IReadOnlyList<FrontMatterEntry>? frontMatter = null;
        if (lines.Length > 0 && lines[0].TrimEnd() == "---")
        {
            frontMatter = ReadFrontMatter(path, lines, ref index);
        }

        var blocks = new List<MarkdownBlock>();
        var paragraph = new List<string>();
        int paragraphLine = 0;

        void FlushParagraph()
        {
            if (paragraph.Count > 0)
            {
                blocks.Add(new ParagraphBlock(paragraphLine, paragraph.ToArray()));
                paragraph.Clear();
            }
        }

        while (index < lines.Length)
        {
            string line = lines[index];
            int lineNumber = index + 1;

            Match fence = FencePattern.Match(line);
            if (fence.Success)
            {
                FlushParagraph();
                blocks.Add(ReadFence(path, lines, ref index, fence));
                continue;
            }

            if (line.Trim().Length == 0)
            {
                FlushParagraph();
                index++;
                continue;
            }

            Match heading = HeadingPattern.Match(line);
            if (heading.Success)
            {
                FlushParagraph();
                blocks.Add(new HeadingBlock(lineNumber, heading.Groups["hashes"].Length, heading.Groups["text"].Value.Trim()));
                index++;
                continue;
            }

            if (paragraph.Count == 0)
            {
                paragraphLine = lineNumber;
            }

            paragraph.Add(line);
            index++;
        }

        FlushParagraph();
        return new MarkdownDocument(path, frontMatter, blocks);
    }

    /// <summary>The value of a front matter key (case-insensitive), or null.</summary>
    public FrontMatterEntry? FrontMatterValue(string key)
    {
        if (FrontMatter is null)
        {
            return null;
        }

        foreach (FrontMatterEntry entry in FrontMatter)
        {
            if (string.Equals(entry.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return entry;
            }
        }

        return null;
    }

    private static IReadOnlyList<FrontMatterEntry> ReadFrontMatter(string path, string[] lines, ref int index)
    {
        var entries = new List<FrontMatterEntry>();
        int opening = index + 1;
        index++;
        while (index < lines.Length)
        {
            string line = lines[index];
            int lineNumber = index + 1;
            index++;
            if (line.TrimEnd() == "---")
            {
                return entries;
            }

            if (line.Trim().Length == 0 || line.TrimStart().StartsWith("#", StringComparison.Ordinal))
            {
                continue;
            }

            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new HelpSchemaException(path, lineNumber, $"front matter line is not 'key: value': '{line.Trim()}'");
            }

            entries.Add(new FrontMatterEntry(lineNumber, line.Substring(0, colon).Trim(), line.Substring(colon + 1).Trim()));
        }

        throw new HelpSchemaException(path, opening, "front matter opened with '---' is never closed with '---'");
    }

    private static CodeBlock ReadFence(string path, string[] lines, ref int index, Match opening)
    {
        int openingLine = index + 1;
        string fence = opening.Groups["fence"].Value;
        int indent = opening.Groups["indent"].Length;
        string info = opening.Groups["info"].Value;
        var body = new List<string>();
        index++;
        while (index < lines.Length)
        {
            string line = lines[index];
            index++;
            string trimmed = line.Trim();
            if (trimmed.Length >= fence.Length && trimmed.Trim(fence[0]).Length == 0 && line.Length - line.TrimStart().Length <= 3)
            {
                return new CodeBlock(openingLine, info, body.ToArray());
            }

            body.Add(RemoveIndent(line, indent));
        }

        throw new HelpSchemaException(path, openingLine, $"code block opened with {fence} is never closed");
    }

    private static string RemoveIndent(string line, int indent)
    {
        int remove = 0;
        while (remove < indent && remove < line.Length && line[remove] == ' ')
        {
            remove++;
        }

        return line.Substring(remove).TrimEnd();
    }
}
