using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using MapiHttpTools.HelpBuilder.Markdown;

namespace MapiHttpTools.HelpBuilder;

/// <summary>
/// An about topic in the PlatyPS about template (New-MarkdownAboutHelp): <c># Topic title</c>, then
/// <c>## about_Name</c> (the name Get-Help looks up), then level-1 sections <c># SHORT DESCRIPTION</c>,
/// <c># LONG DESCRIPTION</c> (with optional <c>##</c> subtopics), <c># EXAMPLES</c>, <c># NOTE</c>,
/// <c># SEE ALSO</c>, <c># KEYWORDS</c>. Rendered to the 80-column text that <c>Get-Help about_Name</c> prints.
/// </summary>
internal sealed class AboutTopic
{
    private const int Width = 80;
    private const string Indent = "    ";
    private static readonly string[] RequiredSections = { "SHORT DESCRIPTION", "LONG DESCRIPTION" };
    private static readonly Regex TopicName = new(@"^about_[A-Za-z0-9_.\-]+$", RegexOptions.CultureInvariant);
    private static readonly Regex Placeholder = new(@"\{\{.*\}\}", RegexOptions.CultureInvariant);
    private static readonly Regex ListItem = new(@"^(?<marker>[-*+]|\d{1,3}[.)])\s+", RegexOptions.CultureInvariant);

    private AboutTopic(string name, IReadOnlyList<MarkdownBlock> body)
    {
        Name = name;
        Body = body;
    }

    /// <summary>The lookup name, e.g. about_MapiHttpTools; the output file is Name + ".help.txt".</summary>
    public string Name { get; }

    /// <summary>The blocks after the lookup-name heading.</summary>
    public IReadOnlyList<MarkdownBlock> Body { get; }

    public string OutputFileName => Name + ".help.txt";

    public static AboutTopic Parse(MarkdownDocument document)
    {
        string path = document.Path;
        IReadOnlyList<MarkdownBlock> blocks = document.Blocks;
        foreach (MarkdownBlock block in blocks)
        {
            IReadOnlyList<string> lines = block switch
            {
                ParagraphBlock p => p.Lines,
                CodeBlock c => c.Lines,
                HeadingBlock h => new[] { h.Text },
                _ => Array.Empty<string>(),
            };
            for (int i = 0; i < lines.Count; i++)
            {
                Match placeholder = Placeholder.Match(lines[i]);
                if (placeholder.Success)
                {
                    throw new HelpSchemaException(path, block.Line + (block is CodeBlock ? 1 : 0) + i, $"PlatyPS placeholder left in: '{placeholder.Value}'");
                }
            }
        }

        if (blocks.Count == 0 || blocks[0] is not HeadingBlock { Level: 1 })
        {
            throw new HelpSchemaException(path, blocks.Count == 0 ? 1 : blocks[0].Line, "an about topic starts with '# Topic title' and then '## about_Name'");
        }

        if (blocks.Count < 2 || blocks[1] is not HeadingBlock { Level: 2 } lookup)
        {
            throw new HelpSchemaException(path, blocks.Count < 2 ? blocks[0].Line : blocks[1].Line, "the second heading of an about topic must be '## about_Name', the name Get-Help looks up");
        }

        if (!TopicName.IsMatch(lookup.Text))
        {
            throw new HelpSchemaException(path, lookup.Line, $"'## {lookup.Text}' is not an about topic name (about_Name, no spaces)");
        }

        string fileName = Path.GetFileNameWithoutExtension(path);
        if (!string.Equals(fileName, lookup.Text, StringComparison.Ordinal))
        {
            throw new HelpSchemaException(path, lookup.Line, $"the topic '{lookup.Text}' must be in a file named '{lookup.Text}.md'");
        }

        var body = blocks.Skip(2).ToList();
        foreach (string required in RequiredSections)
        {
            HeadingBlock? section = body.OfType<HeadingBlock>().FirstOrDefault(h => h.Text.Equals(required, StringComparison.OrdinalIgnoreCase));
            if (section is null)
            {
                throw new HelpSchemaException(path, lookup.Line, $"the topic has no '# {required}' section");
            }

            if (section.Level != 1)
            {
                throw new HelpSchemaException(path, section.Line, $"'{new string('#', section.Level)} {section.Text}' must be a level-1 heading: '# {required}' (PlatyPS about template)");
            }

            int next = body.IndexOf(section) + 1;
            if (next >= body.Count || body[next] is HeadingBlock)
            {
                throw new HelpSchemaException(path, section.Line, $"'# {required}' is empty");
            }
        }

        return new AboutTopic(lookup.Text, body);
    }

    /// <summary>
    /// The text Get-Help prints: "TOPIC" and the lower-case name, level-1 headings in capitals at the margin,
    /// subtopics as written, prose indented four spaces and wrapped at 80 columns, code indented and kept verbatim.
    /// </summary>
    public string Render()
    {
        var text = new StringBuilder();
        text.Append("TOPIC").Append("\r\n");
        text.Append(Indent).Append(Name.ToLowerInvariant()).Append("\r\n").Append("\r\n");

        foreach (MarkdownBlock block in Body)
        {
            switch (block)
            {
                case HeadingBlock { Level: 1 } heading:
                    text.Append(heading.Text.ToUpperInvariant()).Append("\r\n");
                    break;
                case HeadingBlock { Level: 2 } heading:
                    text.Append(heading.Text).Append("\r\n");
                    break;
                case HeadingBlock heading:
                    text.Append(Indent).Append(heading.Text.ToUpperInvariant()).Append("\r\n");
                    break;
                case CodeBlock code:
                    foreach (string line in code.Lines)
                    {
                        text.Append(line.Length == 0 ? string.Empty : Indent + line).Append("\r\n");
                    }

                    text.Append("\r\n");
                    break;
                case ParagraphBlock paragraph:
                    foreach (string para in Prose.ToParagraphs(paragraph))
                    {
                        Match item = ListItem.Match(para);
                        string hanging = item.Success ? new string(' ', item.Length) : string.Empty;
                        foreach (string line in Wrap(para, Width - Indent.Length, hanging))
                        {
                            text.Append(Indent).Append(line).Append("\r\n");
                        }
                    }

                    text.Append("\r\n");
                    break;
            }
        }

        return text.ToString().TrimEnd() + "\r\n";
    }

    /// <summary>Word-wraps text to a width; continuation lines start with <paramref name="hanging"/> (list items).</summary>
    internal static IEnumerable<string> Wrap(string text, int width, string hanging)
    {
        var line = new StringBuilder();
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear().Append(hanging);
            }

            if (line.Length > 0 && line.ToString() != hanging)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }
}
