using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml.Linq;
using MapiHttpTools.HelpBuilder;
using MapiHttpTools.HelpBuilder.Markdown;
using MapiHttpTools.HelpBuilder.Model;
using Xunit;

namespace MapiHttpTools.Tests.Help;

/// <summary>The markdown-to-MAML converter: PlatyPS-schema markdown in, the MAML elements Get-Help reads out.</summary>
public sealed class MamlConverterTests
{
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private static CommandHelp Parse(string markdown, string fileName = SampleHelp.FileName) =>
        CommandHelpParser.Parse(MarkdownDocument.Parse(Path.Combine("/help/en-US", fileName), markdown));

    private static XElement Convert(string markdown)
    {
        // Through the bytes the build writes, so the test also covers the serialisation.
        byte[] bytes = MamlWriter.ToBytes(MamlWriter.ToDocument(new[] { Parse(markdown) }));
        return XDocument.Load(new MemoryStream(bytes)).Root!;
    }

    private static string Paras(XElement? parent) =>
        string.Join("|", parent!.Elements(Maml + "para").Select(p => p.Value));

    [Fact]
    public void Root_and_command_carry_the_MAML_namespaces_and_the_details()
    {
        byte[] bytes = MamlWriter.ToBytes(MamlWriter.ToDocument(new[] { Parse(SampleHelp.Command) }));
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes.Take(3).ToArray());
        string text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", text, StringComparison.Ordinal);
        Assert.Contains("<helpItems schema=\"maml\" xmlns=\"http://msh\">", text, StringComparison.Ordinal);
        Assert.Contains("<command:command xmlns:maml=\"http://schemas.microsoft.com/maml/2004/10\" xmlns:command=\"http://schemas.microsoft.com/maml/dev/command/2004/10\" xmlns:dev=\"http://schemas.microsoft.com/maml/dev/2004/10\" xmlns:MSHelp=\"http://msdn.microsoft.com/mshelp\">", text, StringComparison.Ordinal);

        XElement command = Convert(SampleHelp.Command).Element(Command + "command")!;
        XElement details = command.Element(Command + "details")!;
        Assert.Equal("Get-Sample", details.Element(Command + "name")!.Value);
        Assert.Equal("Get", details.Element(Command + "verb")!.Value);
        Assert.Equal("Sample", details.Element(Command + "noun")!.Value);
        Assert.Equal("Gets samples.", Paras(details.Element(Maml + "description")));

        // The sections in the order PlatyPS writes them.
        Assert.Equal(
            new[] { "details", "description", "syntax", "parameters", "inputTypes", "returnValues", "alertSet", "examples", "relatedLinks" },
            command.Elements().Select(e => e.Name.LocalName).ToArray());
    }

    [Fact]
    public void Prose_joins_soft_breaks_keeps_list_items_and_reduces_inline_markdown()
    {
        XElement command = Convert(SampleHelp.Command).Element(Command + "command")!;

        Assert.Equal(
            "The first line continues here.|- item one|- item two|Second paragraph with a link (https://example.com/a), a relative link and bold text.",
            Paras(command.Element(Maml + "description")));
        Assert.Equal("A note.", Paras(command.Element(Maml + "alertSet")!.Element(Maml + "alert")));
    }

    [Theory]
    [InlineData("one\ntwo", "one two")]
    [InlineData("hard  \nbreak", "hard|break")]
    [InlineData("back\\\nslash", "back|slash")]
    [InlineData("intro:\n1. first\n2) second\n* third", "intro:|1. first|2) second|* third")]
    [InlineData("**strong** and __strong__ and `code **kept**`", "strong and strong and `code kept`")]
    [InlineData("\\<escaped\\> \\[text\\]", "<escaped> [text]")]
    [InlineData("[docs](https://learn.microsoft.com/x) and [file](Other.md) and [unix](/etc/x)", "docs (https://learn.microsoft.com/x) and file and unix")]
    public void Prose_lines_become_help_paragraphs(string markdown, string expected)
    {
        var paragraph = new ParagraphBlock(1, markdown.Split('\n'));

        Assert.Equal(expected, string.Join("|", Prose.ToParagraphs(paragraph)));
    }

    [Fact]
    public void Syntax_has_one_item_per_parameter_set_with_positional_parameters_first()
    {
        XElement[] items = Convert(SampleHelp.Command).Descendants(Command + "syntaxItem").ToArray();

        Assert.Equal(2, items.Length);
        Assert.All(items, i => Assert.Equal("Get-Sample", i.Element(Maml + "name")!.Value));
        Assert.Equal(new[] { "Name", "Path", "Force", "Kind" }, items[0].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value).ToArray());
        Assert.Equal(new[] { "Force", "Id", "Path" }, items[1].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value).ToArray());

        // -Path has one yaml block per set: optional at position 1 in ByName, mandatory and named in ById.
        XElement pathByName = items[0].Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "Path");
        XElement pathById = items[1].Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "Path");
        Assert.Equal(("false", "1"), ((string)pathByName.Attribute("required")!, (string)pathByName.Attribute("position")!));
        Assert.Equal(("true", "named"), ((string)pathById.Attribute("required")!, (string)pathById.Attribute("position")!));
    }

    [Fact]
    public void Parameters_list_each_parameter_once_with_its_first_metadata_block()
    {
        XElement[] parameters = Convert(SampleHelp.Command).Element(Command + "command")!.Element(Command + "parameters")!.Elements(Command + "parameter").ToArray();

        Assert.Equal(new[] { "Force", "Id", "Kind", "Name", "Path" }, parameters.Select(p => p.Element(Maml + "name")!.Value).ToArray());
        XElement name = parameters[3];
        Assert.Equal("true", (string)name.Attribute("required")!);
        Assert.Equal("true", (string)name.Attribute("variableLength")!);
        Assert.Equal("true", (string)name.Attribute("globbing")!);
        Assert.Equal("True (ByPropertyName, ByValue)", (string)name.Attribute("pipelineInput")!);
        Assert.Equal("0", (string)name.Attribute("position")!);
        Assert.Equal("SampleName, N", (string)name.Attribute("aliases")!);
        Assert.Equal("The name.", Paras(name.Element(Maml + "Description")));
        Assert.Equal("String[]", name.Element(Command + "parameterValue")!.Value);
        Assert.Equal("true", (string)name.Element(Command + "parameterValue")!.Attribute("required")!);
        Assert.Equal("String[]", name.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("None", name.Element(Dev + "defaultValue")!.Value);

        XElement id = parameters[1];
        Assert.Equal("True (ByPropertyName)", (string)id.Attribute("pipelineInput")!);
        Assert.Equal("none", (string)id.Attribute("aliases")!);
        Assert.Equal("named", (string)id.Attribute("position")!);

        XElement path = parameters[4];
        Assert.Equal(("false", "1"), ((string)path.Attribute("required")!, (string)path.Attribute("position")!));
        Assert.Equal("Small", parameters[2].Element(Dev + "defaultValue")!.Value);
    }

    [Fact]
    public void A_switch_is_written_as_PlatyPS_writes_it_in_syntax_and_in_parameters()
    {
        XElement root = Convert(SampleHelp.Command);
        XElement inSyntax = root.Descendants(Command + "syntaxItem").First().Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "Force");
        XElement inParameters = root.Element(Command + "command")!.Element(Command + "parameters")!.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "Force");

        Assert.Equal(
            """<command:parameter required="false" variableLength="true" globbing="false" pipelineInput="False" position="named" aliases="f" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10"><maml:name xmlns:maml="http://schemas.microsoft.com/maml/2004/10">Force</maml:name><maml:Description xmlns:maml="http://schemas.microsoft.com/maml/2004/10"><maml:para>Forces it.</maml:para></maml:Description><dev:type xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10"><maml:name xmlns:maml="http://schemas.microsoft.com/maml/2004/10">SwitchParameter</maml:name><maml:uri xmlns:maml="http://schemas.microsoft.com/maml/2004/10" /></dev:type><dev:defaultValue xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">False</dev:defaultValue></command:parameter>""",
            inSyntax.ToString(SaveOptions.DisableFormatting));
        XElement value = inParameters.Element(Command + "parameterValue")!;
        Assert.Equal("SwitchParameter", value.Value);
        Assert.Equal("false", (string)value.Attribute("required")!);
        Assert.Equal("False", inParameters.Element(Dev + "defaultValue")!.Value);
    }

    [Fact]
    public void Accepted_values_become_a_parameter_value_group_in_the_syntax_only()
    {
        XElement root = Convert(SampleHelp.Command);
        XElement kindInSyntax = root.Descendants(Command + "syntaxItem").First().Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "Kind");
        XElement kindInParameters = root.Element(Command + "command")!.Element(Command + "parameters")!.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "Kind");

        Assert.Equal(new[] { "Small", "Large" }, kindInSyntax.Element(Command + "parameterValueGroup")!.Elements(Command + "parameterValue").Select(v => v.Value).ToArray());
        Assert.Null(kindInParameters.Element(Command + "parameterValueGroup"));
    }

    [Fact]
    public void Examples_get_the_padded_title_the_code_and_the_remarks()
    {
        XElement[] examples = Convert(SampleHelp.Command).Descendants(Command + "example").ToArray();

        Assert.Equal(2, examples.Length);
        Assert.Equal("------------------ Example 1: Get one sample ------------------", examples[0].Element(Maml + "title")!.Value);
        Assert.Equal("-------------------------- Example 2 --------------------------", examples[1].Element(Maml + "title")!.Value);
        Assert.Equal("Get-Sample -Name a |\n    Where-Object Kind -eq 'Small'", examples[0].Element(Dev + "code")!.Value);
        Assert.Equal("Gets the sample named a. Second line of the remarks.|Another remarks paragraph.", Paras(examples[0].Element(Dev + "remarks")));
        Assert.Equal(string.Empty, Paras(examples[1].Element(Dev + "remarks")));
        Assert.Single(examples[1].Element(Dev + "remarks")!.Elements(Maml + "para"));
    }

    [Theory]
    [InlineData("Example 1", "-------------------------- Example 1 --------------------------")]
    [InlineData("Example 2: Test", "----------------------- Example 2: Test -----------------------")]
    [InlineData("Example 9: a title of sixty-one characters gets a space each.", " Example 9: a title of sixty-one characters gets a space each. ")]
    [InlineData("Example 10: a title of sixty-two characters stays as it is....", "Example 10: a title of sixty-two characters stays as it is....")]
    public void Example_titles_are_centred_in_dashes_to_64_columns(string title, string expected)
    {
        Assert.Equal(expected, MamlWriter.PadExampleTitle(title));
    }

    [Fact]
    public void Inputs_outputs_and_links_are_written()
    {
        XElement command = Convert(SampleHelp.Command).Element(Command + "command")!;

        XElement input = command.Element(Command + "inputTypes")!.Element(Command + "inputType")!;
        Assert.Equal("System.String[]", input.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("Names.", Paras(input.Element(Maml + "description")));
        XElement output = command.Element(Command + "returnValues")!.Element(Command + "returnValue")!;
        Assert.Equal("Sample.Result", output.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("One per sample.", Paras(output.Element(Maml + "description")));

        var links = command.Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink")
            .Select(l => (l.Element(Maml + "linkText")!.Value, l.Element(Maml + "uri")!.Value)).ToArray();
        Assert.Equal(new[] { ("Online docs", "https://example.com/get-sample"), ("about_Sample", string.Empty) }, links);
    }

    [Fact]
    public void A_single_syntax_block_without_set_headings_makes_one_syntax_item()
    {
        string markdown = """
            ---
            external help file: Sample.dll-Help.xml
            Module Name: Sample
            ---

            # Get-Sample

            ## SYNOPSIS
            Gets samples.

            ## SYNTAX

            ```
            Get-Sample [[-Name] <String>] [<CommonParameters>]
            ```

            ## DESCRIPTION
            Gets them.

            ## EXAMPLES

            ### Example 1
            ```powershell
            Get-Sample
            ```

            ## PARAMETERS

            ### -Name
            The name.

            ```yaml
            Type: String
            Parameter Sets: (All)
            Aliases:

            Required: False
            Position: 0
            Default value: None
            Accept pipeline input: False
            Accept wildcard characters: False
            ```

            ### CommonParameters
            Common.
            """;

        XElement item = Convert(markdown).Descendants(Command + "syntaxItem").Single();

        Assert.Equal("Name", item.Element(Command + "parameter")!.Element(Maml + "name")!.Value);
        // Sections PlatyPS always writes stay present, empty, when the file leaves them out.
        XElement command = Convert(markdown).Element(Command + "command")!;
        Assert.Empty(command.Element(Command + "inputTypes")!.Elements());
        Assert.Empty(command.Element(Command + "relatedLinks")!.Elements());
        Assert.Equal(string.Empty, Paras(command.Element(Maml + "alertSet")!.Element(Maml + "alert")));
    }

    /// <summary>Name; text of the good sample to replace; replacement; a text on the line the error must name (+ offset); message.</summary>
    public static TheoryData<string, string, string, string, int, string> MalformedCases => new()
    {
        { "parameter without yaml", "The kind.\n\n```yaml\nType: String\nParameter Sets: ByName\nAliases:\nAccepted values: Small, Large\n\nRequired: False\nPosition: Named\nDefault value: Small\nAccept pipeline input: False\nAccept wildcard characters: False\n```", "The kind.", "### -Kind", 0, "parameter -Kind has no ```yaml block" },
        { "missing synopsis", "## SYNOPSIS\nGets samples.\n\n", string.Empty, "# Get-Sample", 0, "'Get-Sample' has no '## SYNOPSIS' section" },
        { "empty description", "The first line\ncontinues here.\n\n- item one\n- item two\n\nSecond paragraph with [a link](https://example.com/a), a [relative link](Get-Other.md) and **bold** text.\n", string.Empty, "## DESCRIPTION", 0, "'## DESCRIPTION' is empty" },
        { "unknown yaml key", "Aliases: f", "Alias: f", "Alias: f", 0, "parameter -Force: unknown yaml key 'Alias'" },
        { "missing yaml key", "Default value: Small\n", string.Empty, "Accepted values: Small, Large", -4, "parameter -Kind: yaml block lacks 'Default value'" },
        { "bad boolean", "Accept wildcard characters: True", "Accept wildcard characters: Sometimes", "Sometimes", 0, "'Accept wildcard characters: Sometimes' must be True or False" },
        { "bad position", "Position: 0", "Position: first", "Position: first", 0, "'Position: first' must be 'Named' or a number from 0" },
        { "bad pipeline input", "Accept pipeline input: True (ByPropertyName)\n", "Accept pipeline input: Yes\n", "Accept pipeline input: Yes", 0, "'Accept pipeline input: Yes' must be 'False' or 'True (ByValue)'" },
        { "unknown parameter set", "Parameter Sets: ById\nAliases:\n\nRequired: True\nPosition: Named\nDefault value: None\nAccept pipeline input: True (ByPropertyName)", "Parameter Sets: ByIdentity\nAliases:\n\nRequired: True\nPosition: Named\nDefault value: None\nAccept pipeline input: True (ByPropertyName)", "ByIdentity", -2, "parameter -Id names parameter set 'ByIdentity', which '## SYNTAX' does not have (it has: ByName, ById)" },
        { "syntax misses a parameter", " [-Kind <String>]", string.Empty, "### ByName (Default)", 1, "the syntax of parameter set 'ByName' does not show -Kind, which '## PARAMETERS' puts in that set" },
        { "syntax shows an undocumented parameter", "[-Force] [<CommonParameters>]\n```\n\n### ById", "[-Force] [-Bogus] [<CommonParameters>]\n```\n\n### ById", "[-Bogus]", -1, "the syntax of parameter set 'ByName' shows -Bogus, but no parameter under '## PARAMETERS' is in that set" },
        { "set heading without syntax block", "### ById\n```\nGet-Sample -Id <Int32> -Path <String> [-Force] [<CommonParameters>]\n```\n", "### ById\n", "### ById", 0, "parameter set '### ById' has no ``` block with its syntax" },
        { "unclosed code fence", "## NOTES\nA note.", "## NOTES\n```powershell\nGet-Sample", "## NOTES", 1, "code block opened with ``` is never closed" },
        { "placeholder left in", "Gets samples.", "{{ Fill in the Synopsis }}", "{{ Fill", 0, "PlatyPS placeholder left in: '{{ Fill in the Synopsis }}'" },
        { "example without code", "### Example 2\n```powershell\nGet-Sample -Id 1 -Path x\n```\n", "### Example 2\nNo code here.\n", "### Example 2", 0, "example 'Example 2' has no ```powershell code block" },
        { "unknown section", "## NOTES", "## REMARKS", "## REMARKS", 0, "unknown section '## REMARKS'" },
        { "related link that is not a link", "[Online docs](https://example.com/get-sample)", "See Get-Other", "See Get-Other", 0, "'See Get-Other' is not a markdown link" },
        { "parameter without description", "### -Kind\nThe kind.\n", "### -Kind\n", "### -Kind", 0, "parameter -Kind has no description" },
        { "text after the yaml block", "Accept wildcard characters: False\n```\n\n### -Id", "Accept wildcard characters: False\n```\n\nMore about force.\n\n### -Id", "More about force.", 0, "parameter -Force: text after its ```yaml block" },
        { "parameter documented twice", "### -Id\nThe id.", "### -Force\nThe id.", "The id.", -1, "parameter -Force is documented twice" },
        { "one set described twice", "Parameter Sets: ByName\nAliases:\n\nRequired: False\nPosition: 1", "Parameter Sets: ById\nAliases:\n\nRequired: False\nPosition: 1", "### CommonParameters", -12, "parameter -Path is described twice for parameter set 'ById'" },
        { "two command headings", "## SYNOPSIS", "# Get-Other\n\n## SYNOPSIS", "# Get-Other", 0, "a second '# Get-Other': one cmdlet per file" },
        { "front matter without help file", "external help file: Sample.dll-Help.xml\n", string.Empty, "---", 0, "front matter has no 'external help file'" },
        { "help file that is not a help file", "external help file: Sample.dll-Help.xml", "external help file: Sample.xml", "Sample.xml", 0, "'external help file: Sample.xml' is not a help file name" },
    };

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void Malformed_markdown_is_refused_with_the_file_the_line_and_what_is_wrong(string name, string find, string replace, string lineMarker, int offset, string message)
    {
        Assert.True(SampleHelp.Command.Contains(find, StringComparison.Ordinal), $"{name}: the sample does not contain the text to replace");
        string broken = SampleHelp.Command.Replace(find, replace, StringComparison.Ordinal);
        int expectedLine = SampleHelp.LineOf(broken, lineMarker) + offset;

        HelpSchemaException error = Assert.Throws<HelpSchemaException>(() => Parse(broken));

        Assert.Equal(Path.Combine("/help/en-US", SampleHelp.FileName), error.File);
        Assert.Contains(message, error.Reason, StringComparison.Ordinal);
        Assert.Equal(expectedLine, error.Line);
        Assert.Equal($"{error.File}({expectedLine}): {error.Reason}", error.Message);
    }

    [Fact]
    public void A_file_named_differently_from_its_cmdlet_is_refused()
    {
        HelpSchemaException error = Assert.Throws<HelpSchemaException>(() => Parse(SampleHelp.Command, "Get-Other.md"));

        Assert.Equal(SampleHelp.LineOf(SampleHelp.Command, "# Get-Sample"), error.Line);
        Assert.Equal("the file documents 'Get-Sample' and must be named 'Get-Sample.md'", error.Reason);
    }

    [Fact]
    public void A_file_without_front_matter_is_refused_at_line_1()
    {
        string withoutFrontMatter = SampleHelp.Command.Substring(SampleHelp.Command.IndexOf("# Get-Sample", StringComparison.Ordinal));

        HelpSchemaException error = Assert.Throws<HelpSchemaException>(() => Parse(withoutFrontMatter));

        Assert.Equal(1, error.Line);
        Assert.StartsWith("no front matter", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Windows_line_endings_and_a_byte_order_mark_parse_the_same()
    {
        CommandHelp unix = Parse(SampleHelp.Command);
        CommandHelp windows = Parse("\uFEFF" + SampleHelp.Command.Replace("\n", "\r\n"));

        Assert.Equal(
            MamlWriter.ToDocument(new[] { unix }).ToString(),
            MamlWriter.ToDocument(new[] { windows }).ToString());
    }
}
