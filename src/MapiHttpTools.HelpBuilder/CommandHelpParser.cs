using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MapiHttpTools.HelpBuilder.Markdown;
using MapiHttpTools.HelpBuilder.Model;

namespace MapiHttpTools.HelpBuilder;

/// <summary>
/// Reads one cmdlet help file in the PlatyPS 0.14 markdown schema (schema 2.0.0) into a <see cref="CommandHelp"/>,
/// and refuses anything that would silently produce wrong or missing help: each refusal is a
/// <see cref="HelpSchemaException"/> naming the file, the line and what to change.
/// </summary>
internal sealed class CommandHelpParser
{
    private const string YamlKeyType = "Type";
    private const string YamlKeyParameterSets = "Parameter Sets";
    private const string YamlKeyAliases = "Aliases";
    private const string YamlKeyAcceptedValues = "Accepted values";
    private const string YamlKeyRequired = "Required";
    private const string YamlKeyPosition = "Position";
    private const string YamlKeyDefaultValue = "Default value";
    private const string YamlKeyPipelineInput = "Accept pipeline input";
    private const string YamlKeyWildcard = "Accept wildcard characters";
    private const string YamlKeyApplicable = "Applicable";

    private static readonly string[] KnownYamlKeys =
    {
        YamlKeyType, YamlKeyParameterSets, YamlKeyAliases, YamlKeyAcceptedValues, YamlKeyRequired, YamlKeyPosition,
        YamlKeyDefaultValue, YamlKeyPipelineInput, YamlKeyWildcard, YamlKeyApplicable,
    };

    private static readonly string[] RequiredYamlKeys =
    {
        YamlKeyType, YamlKeyParameterSets, YamlKeyRequired, YamlKeyPosition, YamlKeyDefaultValue, YamlKeyPipelineInput, YamlKeyWildcard,
    };

    private static readonly string[] RequiredSections = { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS" };

    private static readonly string[] KnownSections =
    {
        "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS",
    };

    private static readonly Regex CommandName = new(@"^[A-Za-z]+-[A-Za-z0-9]+$", RegexOptions.CultureInvariant);
    private static readonly Regex ParameterName = new(@"^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant);
    private static readonly Regex SyntaxParameter = new(@"(?<![\w-])-(?<name>[A-Za-z_][A-Za-z0-9_]*)", RegexOptions.CultureInvariant);
    private static readonly Regex Placeholder = new(@"\{\{.*\}\}", RegexOptions.CultureInvariant);
    private static readonly Regex PipelineInput = new(@"^(?:(?<false>false)|true\s*\((?<kinds>[^)]*)\))$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
    private static readonly Regex LinkLine = new(@"^(?:[-*+]\s+)?\[(?<text>[^\]]+)\]\((?<uri>[^)\s]*)\)$", RegexOptions.CultureInvariant);

    private const string DefaultSetSuffix = " (Default)";

    private readonly MarkdownDocument _document;

    private CommandHelpParser(MarkdownDocument document) => _document = document;

    private string FilePath => _document.Path;

    public static CommandHelp Parse(MarkdownDocument document) => new CommandHelpParser(document).Parse();

    private CommandHelp Parse()
    {
        RejectPlaceholders();

        if (_document.FrontMatter is null)
        {
            throw Error(1, "no front matter: the file must start with '---', 'external help file: <Assembly>.dll-Help.xml', 'Module Name: <module>', '---'");
        }

        FrontMatterEntry? helpFile = _document.FrontMatterValue("external help file");
        if (helpFile is null || helpFile.Value.Length == 0)
        {
            throw Error(1, "front matter has no 'external help file' (for a binary module: '<AssemblyFileName>-Help.xml')");
        }

        if (!helpFile.Value.EndsWith("-Help.xml", StringComparison.OrdinalIgnoreCase) || helpFile.Value.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw Error(helpFile.Line, $"'external help file: {helpFile.Value}' is not a help file name: Get-Help of a binary module reads '<AssemblyFileName>-Help.xml'");
        }

        FrontMatterEntry? module = _document.FrontMatterValue("Module Name");
        if (module is null || module.Value.Length == 0)
        {
            throw Error(1, "front matter has no 'Module Name'");
        }

        FrontMatterEntry? schema = _document.FrontMatterValue("schema");
        if (schema is not null && schema.Value != "2.0.0")
        {
            throw Error(schema.Line, $"'schema: {schema.Value}' is not supported: only the PlatyPS schema 2.0.0 is");
        }

        IReadOnlyList<MarkdownBlock> blocks = _document.Blocks;
        if (blocks.Count == 0 || blocks[0] is not HeadingBlock { Level: 1 } title)
        {
            throw Error(blocks.Count == 0 ? 1 : blocks[0].Line, "the first block after the front matter must be '# Verb-Noun', the cmdlet name");
        }

        if (!CommandName.IsMatch(title.Text))
        {
            throw Error(title.Line, $"'# {title.Text}' is not a cmdlet name (Verb-Noun)");
        }

        string expectedFile = title.Text + ".md";
        if (!string.Equals(Path.GetFileName(FilePath), expectedFile, StringComparison.Ordinal))
        {
            throw Error(title.Line, $"the file documents '{title.Text}' and must be named '{expectedFile}'");
        }

        var help = new CommandHelp(title.Text, FilePath, helpFile.Value, module.Value);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int index = 1;
        while (index < blocks.Count)
        {
            MarkdownBlock block = blocks[index];
            if (block is not HeadingBlock { Level: 2 } section)
            {
                throw block is HeadingBlock { Level: 1 } other
                    ? Error(other.Line, $"a second '# {other.Text}': one cmdlet per file")
                    : Error(block.Line, $"content before the first '## SECTION' heading of '{help.Name}'");
            }

            int end = index + 1;
            while (end < blocks.Count && !(blocks[end] is HeadingBlock { Level: <= 2 }))
            {
                end++;
            }

            string name = section.Text.ToUpperInvariant();
            if (Array.IndexOf(KnownSections, name) < 0)
            {
                throw Error(section.Line, $"unknown section '## {section.Text}' (expected one of: {string.Join(", ", KnownSections)})");
            }

            if (seen.TryGetValue(name, out int firstLine))
            {
                throw Error(section.Line, $"'## {section.Text}' appears twice (first on line {firstLine})");
            }

            seen[name] = section.Line;
            var body = new List<MarkdownBlock>();
            for (int i = index + 1; i < end; i++)
            {
                body.Add(blocks[i]);
            }

            ReadSection(help, name, section, body);
            index = end;
        }

        foreach (string required in RequiredSections)
        {
            if (!seen.ContainsKey(required))
            {
                throw Error(title.Line, $"'{help.Name}' has no '## {required}' section");
            }
        }

        CheckParameterSets(help);
        return help;
    }

    private void ReadSection(CommandHelp help, string name, HeadingBlock heading, List<MarkdownBlock> body)
    {
        switch (name)
        {
            case "SYNOPSIS":
                help.Synopsis.AddRange(RequiredProse(heading, body));
                break;
            case "DESCRIPTION":
                help.Description.AddRange(RequiredProse(heading, body));
                break;
            case "NOTES":
                help.Notes.AddRange(Prose.ToParagraphs(ProseOnly(heading, body)));
                break;
            case "SYNTAX":
                ReadSyntax(help, heading, body);
                break;
            case "EXAMPLES":
                ReadExamples(help, heading, body);
                break;
            case "PARAMETERS":
                ReadParameters(help, heading, body);
                break;
            case "INPUTS":
                help.Inputs.AddRange(ReadTypes(heading, body));
                break;
            case "OUTPUTS":
                help.Outputs.AddRange(ReadTypes(heading, body));
                break;
            case "RELATED LINKS":
                ReadLinks(help, heading, body);
                break;
        }
    }

    private List<string> RequiredProse(HeadingBlock heading, List<MarkdownBlock> body)
    {
        List<string> paragraphs = Prose.ToParagraphs(ProseOnly(heading, body));
        if (paragraphs.All(p => p.Trim().Length == 0))
        {
            throw Error(heading.Line, $"'## {heading.Text}' is empty");
        }

        return paragraphs;
    }

    private List<MarkdownBlock> ProseOnly(HeadingBlock heading, List<MarkdownBlock> body)
    {
        foreach (MarkdownBlock block in body)
        {
            if (block is HeadingBlock inner)
            {
                throw Error(inner.Line, $"'{new string('#', inner.Level)} {inner.Text}' is not allowed inside '## {heading.Text}' (prose and code blocks only)");
            }
        }

        return body;
    }

    private void ReadSyntax(CommandHelp help, HeadingBlock heading, List<MarkdownBlock> body)
    {
        if (body.Count == 0)
        {
            throw Error(heading.Line, "'## SYNTAX' is empty: add one ``` block with the syntax, or '### ParameterSetName' + ``` block per parameter set");
        }

        if (body[0] is CodeBlock single)
        {
            if (body.Count > 1)
            {
                throw Error(body[1].Line, "'## SYNTAX' without '### ParameterSetName' headings takes exactly one ``` block");
            }

            help.SyntaxSets.Add(new SyntaxSet(null, true, CheckSyntaxBlock(help, single), single.Line));
            return;
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < body.Count; i++)
        {
            if (body[i] is not HeadingBlock { Level: 3 } set)
            {
                throw Error(body[i].Line, "'## SYNTAX' takes '### ParameterSetName' headings, each followed by one ``` block with the syntax of that set");
            }

            if (i + 1 >= body.Count || body[i + 1] is not CodeBlock code)
            {
                throw Error(set.Line, $"parameter set '### {set.Text}' has no ``` block with its syntax");
            }

            bool isDefault = set.Text.EndsWith(DefaultSetSuffix, StringComparison.OrdinalIgnoreCase);
            string name = isDefault ? set.Text.Substring(0, set.Text.Length - DefaultSetSuffix.Length).Trim() : set.Text;
            if (!names.Add(name))
            {
                throw Error(set.Line, $"parameter set '{name}' appears twice in '## SYNTAX'");
            }

            help.SyntaxSets.Add(new SyntaxSet(name, isDefault, CheckSyntaxBlock(help, code), code.Line));
            i++;
        }
    }

    private string CheckSyntaxBlock(CommandHelp help, CodeBlock code)
    {
        string text = string.Join(" ", code.Lines.Select(l => l.Trim())).Trim();
        if (!text.StartsWith(help.Name + " ", StringComparison.OrdinalIgnoreCase) && !string.Equals(text, help.Name, StringComparison.OrdinalIgnoreCase))
        {
            throw Error(code.Line, $"a syntax block must start with the cmdlet name '{help.Name}'");
        }

        return text;
    }

    private void ReadExamples(CommandHelp help, HeadingBlock heading, List<MarkdownBlock> body)
    {
        int i = 0;
        while (i < body.Count)
        {
            if (body[i] is not HeadingBlock { Level: 3 } title)
            {
                throw Error(body[i].Line, $"'## {heading.Text}' takes '### Example N: title' headings, each followed by a ```powershell block and remarks");
            }

            var code = new List<string>();
            var remarks = new List<MarkdownBlock>();
            i++;
            while (i < body.Count && body[i] is not HeadingBlock)
            {
                if (body[i] is CodeBlock block)
                {
                    code.Add(block.Text);
                }
                else
                {
                    remarks.Add(body[i]);
                }

                i++;
            }

            if (i < body.Count && body[i] is HeadingBlock { Level: > 3 } nested)
            {
                throw Error(nested.Line, $"'{new string('#', nested.Level)} {nested.Text}' is not allowed inside an example");
            }

            if (code.Count == 0)
            {
                throw Error(title.Line, $"example '{title.Text}' has no ```powershell code block");
            }

            help.Examples.Add(new ExampleHelp(title.Text, string.Join("\n\n", code), Prose.ToParagraphs(remarks), title.Line));
        }
    }

    private void ReadParameters(CommandHelp help, HeadingBlock heading, List<MarkdownBlock> body)
    {
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        int i = 0;
        while (i < body.Count)
        {
            if (body[i] is not HeadingBlock { Level: 3 } title)
            {
                throw Error(body[i].Line, $"'## {heading.Text}' takes '### -Name' headings, each followed by a description and a ```yaml block");
            }

            int end = i + 1;
            while (end < body.Count && body[end] is not HeadingBlock)
            {
                end++;
            }

            if (end < body.Count && body[end] is HeadingBlock { Level: > 3 } nested)
            {
                throw Error(nested.Line, $"'{new string('#', nested.Level)} {nested.Text}' is not allowed inside a parameter");
            }

            List<MarkdownBlock> content = body.GetRange(i + 1, end - i - 1);
            i = end;

            if (title.Text.Equals("CommonParameters", StringComparison.OrdinalIgnoreCase))
            {
                help.SupportsCommonParameters = true;
                continue;
            }

            if (title.Text.Equals("WorkflowParameters", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string name = title.Text.StartsWith("-", StringComparison.Ordinal) ? title.Text.Substring(1) : title.Text;
            if (!ParameterName.IsMatch(name))
            {
                throw Error(title.Line, $"'### {title.Text}' is not a parameter heading ('### -Name', or '### CommonParameters')");
            }

            if (names.TryGetValue(name, out int firstLine))
            {
                throw Error(title.Line, $"parameter -{name} is documented twice (first on line {firstLine})");
            }

            names[name] = title.Line;
            help.Parameters.Add(ReadParameter(name, title, content));
        }
    }

    private ParameterHelp ReadParameter(string name, HeadingBlock title, List<MarkdownBlock> content)
    {
        var parameter = new ParameterHelp(name, title.Line);
        var description = new List<MarkdownBlock>();
        foreach (MarkdownBlock block in content)
        {
            if (block is CodeBlock { Info: var info } yaml && info.Equals("yaml", StringComparison.OrdinalIgnoreCase))
            {
                parameter.Metadata.Add(ReadMetadata(name, yaml));
                continue;
            }

            if (parameter.Metadata.Count > 0)
            {
                throw Error(block.Line, $"parameter -{name}: text after its ```yaml block (the description goes between '### -{name}' and the ```yaml block)");
            }

            description.Add(block);
        }

        if (parameter.Metadata.Count == 0)
        {
            throw Error(title.Line, $"parameter -{name} has no ```yaml block (Type, Parameter Sets, Aliases, Required, Position, Default value, Accept pipeline input, Accept wildcard characters)");
        }

        parameter.Description.AddRange(Prose.ToParagraphs(description));
        if (parameter.Description.All(p => p.Trim().Length == 0))
        {
            throw Error(title.Line, $"parameter -{name} has no description");
        }

        return parameter;
    }

    private ParameterMetadata ReadMetadata(string parameter, CodeBlock yaml)
    {
        var values = new Dictionary<string, (string Value, int Line)>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < yaml.Lines.Count; i++)
        {
            string line = yaml.Lines[i];
            int lineNumber = yaml.Line + 1 + i;
            if (line.Trim().Length == 0)
            {
                continue;
            }

            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw Error(lineNumber, $"parameter -{parameter}: yaml line is not 'Key: value': '{line.Trim()}'");
            }

            string key = line.Substring(0, colon).Trim();
            string value = line.Substring(colon + 1).Trim();
            string? known = KnownYamlKeys.FirstOrDefault(k => k.Equals(key, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                throw Error(lineNumber, $"parameter -{parameter}: unknown yaml key '{key}' (known: {string.Join(", ", KnownYamlKeys)})");
            }

            if (values.ContainsKey(known))
            {
                throw Error(lineNumber, $"parameter -{parameter}: yaml key '{known}' appears twice");
            }

            values[known] = (value, lineNumber);
        }

        string[] missing = RequiredYamlKeys.Where(k => !values.ContainsKey(k)).ToArray();
        if (missing.Length > 0)
        {
            throw Error(yaml.Line, $"parameter -{parameter}: yaml block lacks {string.Join(", ", missing.Select(m => "'" + m + "'"))}");
        }

        (string type, int typeLine) = values[YamlKeyType];
        if (type.Length == 0)
        {
            throw Error(typeLine, $"parameter -{parameter}: 'Type' is empty");
        }

        (string sets, int setsLine) = values[YamlKeyParameterSets];
        string[] setNames = SplitList(sets);
        if (setNames.Length == 0)
        {
            throw Error(setsLine, $"parameter -{parameter}: 'Parameter Sets' is empty (use '(All)' for a parameter in every set)");
        }

        if (setNames.Length > 1 && setNames.Contains(ParameterMetadata.AllParameterSets, StringComparer.OrdinalIgnoreCase))
        {
            throw Error(setsLine, $"parameter -{parameter}: '(All)' cannot be combined with named parameter sets");
        }

        if (setNames.Length == 1 && setNames[0].Equals(ParameterMetadata.AllParameterSets, StringComparison.OrdinalIgnoreCase))
        {
            setNames[0] = ParameterMetadata.AllParameterSets;
        }

        bool required = ReadBoolean(parameter, values[YamlKeyRequired], YamlKeyRequired);
        bool globbing = ReadBoolean(parameter, values[YamlKeyWildcard], YamlKeyWildcard);

        (string position, int positionLine) = values[YamlKeyPosition];
        if (!position.Equals("Named", StringComparison.OrdinalIgnoreCase) &&
            !(int.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number >= 0))
        {
            throw Error(positionLine, $"parameter -{parameter}: 'Position: {position}' must be 'Named' or a number from 0");
        }

        (string pipeline, int pipelineLine) = values[YamlKeyPipelineInput];
        Match pipelineMatch = PipelineInput.Match(pipeline);
        bool byValue = false;
        bool byPropertyName = false;
        if (!pipelineMatch.Success)
        {
            throw Error(pipelineLine, $"parameter -{parameter}: 'Accept pipeline input: {pipeline}' must be 'False' or 'True (ByValue)', 'True (ByPropertyName)', 'True (ByPropertyName, ByValue)'");
        }

        if (!pipelineMatch.Groups["false"].Success)
        {
            foreach (string kind in SplitList(pipelineMatch.Groups["kinds"].Value))
            {
                if (kind.Equals("ByValue", StringComparison.OrdinalIgnoreCase))
                {
                    byValue = true;
                }
                else if (kind.Equals("ByPropertyName", StringComparison.OrdinalIgnoreCase))
                {
                    byPropertyName = true;
                }
                else
                {
                    throw Error(pipelineLine, $"parameter -{parameter}: 'Accept pipeline input' names '{kind}' (expected ByValue, ByPropertyName)");
                }
            }

            if (!byValue && !byPropertyName)
            {
                throw Error(pipelineLine, $"parameter -{parameter}: 'Accept pipeline input: {pipeline}' does not say ByValue or ByPropertyName");
            }
        }

        return new ParameterMetadata(
            yaml.Line,
            type,
            setNames,
            values.TryGetValue(YamlKeyAliases, out var aliases) ? SplitList(aliases.Value) : Array.Empty<string>(),
            values.TryGetValue(YamlKeyAcceptedValues, out var accepted) ? SplitList(accepted.Value) : Array.Empty<string>(),
            required,
            position,
            values[YamlKeyDefaultValue].Value.Length == 0 ? "None" : values[YamlKeyDefaultValue].Value,
            byValue,
            byPropertyName,
            globbing);
    }

    private bool ReadBoolean(string parameter, (string Value, int Line) entry, string key)
    {
        if (entry.Value.Equals("True", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (entry.Value.Equals("False", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        throw Error(entry.Line, $"parameter -{parameter}: '{key}: {entry.Value}' must be True or False");
    }

    private List<TypeHelp> ReadTypes(HeadingBlock heading, List<MarkdownBlock> body)
    {
        var types = new List<TypeHelp>();
        int i = 0;
        while (i < body.Count)
        {
            if (body[i] is not HeadingBlock { Level: 3 } type)
            {
                throw Error(body[i].Line, $"'## {heading.Text}' takes '### TypeName' headings, each followed by its description");
            }

            var description = new List<MarkdownBlock>();
            i++;
            while (i < body.Count && body[i] is not HeadingBlock)
            {
                description.Add(body[i]);
                i++;
            }

            if (i < body.Count && body[i] is HeadingBlock { Level: > 3 } nested)
            {
                throw Error(nested.Line, $"'{new string('#', nested.Level)} {nested.Text}' is not allowed inside '## {heading.Text}'");
            }

            types.Add(new TypeHelp(type.Text, Prose.ToParagraphs(description)));
        }

        return types;
    }

    private void ReadLinks(CommandHelp help, HeadingBlock heading, List<MarkdownBlock> body)
    {
        foreach (MarkdownBlock block in body)
        {
            if (block is not ParagraphBlock paragraph)
            {
                throw Error(block.Line, $"'## {heading.Text}' takes markdown links only, one per line: [Text](https://address)");
            }

            for (int i = 0; i < paragraph.Lines.Count; i++)
            {
                Match link = LinkLine.Match(paragraph.Lines[i].Trim());
                if (!link.Success)
                {
                    throw Error(paragraph.Line + i, $"'{paragraph.Lines[i].Trim()}' is not a markdown link: [Text](https://address)");
                }

                help.Links.Add(new LinkHelp(link.Groups["text"].Value, link.Groups["uri"].Value));
            }
        }
    }

    /// <summary>
    /// The yaml blocks and the SYNTAX section must tell the same story: every set a parameter names exists in SYNTAX,
    /// no parameter is described twice for one set, and each set's syntax block shows exactly that set's parameters.
    /// </summary>
    private void CheckParameterSets(CommandHelp help)
    {
        bool named = help.SyntaxSets.Count > 0 && help.SyntaxSets[0].Name is not null;
        var setNames = help.SyntaxSets.Where(s => s.Name is not null).Select(s => s.Name!).ToList();

        foreach (ParameterHelp parameter in help.Parameters)
        {
            var covered = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (ParameterMetadata metadata in parameter.Metadata)
            {
                foreach (string set in metadata.ParameterSets)
                {
                    if (set == ParameterMetadata.AllParameterSets)
                    {
                        continue;
                    }

                    if (!named)
                    {
                        throw Error(metadata.Line, $"parameter -{parameter.Name} names parameter set '{set}', but '## SYNTAX' has one block without '### ParameterSetName' headings");
                    }

                    if (!setNames.Contains(set, StringComparer.OrdinalIgnoreCase))
                    {
                        throw Error(metadata.Line, $"parameter -{parameter.Name} names parameter set '{set}', which '## SYNTAX' does not have (it has: {string.Join(", ", setNames)})");
                    }
                }

                IEnumerable<string> sets = metadata.InAllSets ? (named ? setNames : new List<string> { string.Empty }) : metadata.ParameterSets;
                foreach (string set in sets)
                {
                    if (!covered.Add(set))
                    {
                        throw Error(metadata.Line, $"parameter -{parameter.Name} is described twice for parameter set '{(set.Length == 0 ? ParameterMetadata.AllParameterSets : set)}'");
                    }
                }
            }
        }

        bool showsCommonParameters = false;
        foreach (SyntaxSet set in help.SyntaxSets)
        {
            showsCommonParameters |= set.Syntax.IndexOf("<CommonParameters>", StringComparison.OrdinalIgnoreCase) >= 0;
            var shown = new HashSet<string>(SyntaxParameter.Matches(set.Syntax).Select(m => m.Groups["name"].Value), StringComparer.OrdinalIgnoreCase);
            var documented = new HashSet<string>(ParametersOf(help, set).Select(p => p.Parameter.Name), StringComparer.OrdinalIgnoreCase);
            string label = set.Name is null ? "the syntax block" : $"the syntax of parameter set '{set.Name}'";

            string[] undocumented = shown.Where(n => !documented.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            if (undocumented.Length > 0)
            {
                throw Error(set.Line, $"{label} shows {string.Join(", ", undocumented.Select(n => "-" + n))}, but no parameter under '## PARAMETERS' is in that set");
            }

            string[] notShown = documented.Where(n => !shown.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            if (notShown.Length > 0)
            {
                throw Error(set.Line, $"{label} does not show {string.Join(", ", notShown.Select(n => "-" + n))}, which '## PARAMETERS' puts in that set");
            }
        }

        if (showsCommonParameters && !help.SupportsCommonParameters)
        {
            throw Error(help.SyntaxSets[0].Line, "the syntax shows [<CommonParameters>] but '## PARAMETERS' has no '### CommonParameters' entry");
        }
    }

    /// <summary>The parameters of one syntax set, each with the metadata block that applies to that set, in document order.</summary>
    internal static IEnumerable<(ParameterHelp Parameter, ParameterMetadata Metadata)> ParametersOf(CommandHelp help, SyntaxSet set)
    {
        foreach (ParameterHelp parameter in help.Parameters)
        {
            ParameterMetadata? match = set.Name is null
                ? parameter.Metadata.FirstOrDefault()
                : parameter.Metadata.FirstOrDefault(m => m.ParameterSets.Contains(set.Name, StringComparer.OrdinalIgnoreCase))
                  ?? parameter.Metadata.FirstOrDefault(m => m.InAllSets);
            if (match is not null)
            {
                yield return (parameter, match);
            }
        }
    }

    private void RejectPlaceholders()
    {
        foreach (MarkdownBlock block in _document.Blocks)
        {
            IReadOnlyList<string> lines = block switch
            {
                ParagraphBlock p => p.Lines,
                CodeBlock c => c.Lines,
                HeadingBlock h => new[] { h.Text },
                _ => Array.Empty<string>(),
            };
            int offset = block is CodeBlock ? 1 : 0;
            for (int i = 0; i < lines.Count; i++)
            {
                Match placeholder = Placeholder.Match(lines[i]);
                if (placeholder.Success)
                {
                    throw Error(block.Line + offset + i, $"PlatyPS placeholder left in: '{placeholder.Value}'");
                }
            }
        }
    }

    private static string[] SplitList(string value) =>
        value.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToArray();

    private HelpSchemaException Error(int line, string reason) => new(FilePath, line, reason);
}
