using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using MapiHttpTools.HelpBuilder.Markdown;
using MapiHttpTools.HelpBuilder.Model;

namespace MapiHttpTools.HelpBuilder;

/// <summary>
/// Writes cmdlet help as MAML in the shape PlatyPS 0.14 (New-ExternalHelp) produces and Get-Help reads:
/// helpItems / command:command with details, description, syntax, parameters, inputTypes, returnValues,
/// alertSet, examples and relatedLinks, in that order.
/// </summary>
internal static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    public static readonly XNamespace MsHelp = "http://msdn.microsoft.com/mshelp";

    private const int ExampleTitleWidth = 64;

    public static XDocument ToDocument(IEnumerable<CommandHelp> commands) =>
        new(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(
                Msh + "helpItems",
                new XAttribute("schema", "maml"),
                commands.Select(CommandElement)));

    /// <summary>The document as UTF-8 bytes with a byte order mark (Windows PowerShell 5.1 reads help files either way).</summary>
    public static byte[] ToBytes(XDocument document)
    {
        using var stream = new MemoryStream();
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\r\n",
            NewLineHandling = NewLineHandling.Replace,
        };
        using (XmlWriter writer = XmlWriter.Create(stream, settings))
        {
            document.Save(writer);
        }

        return stream.ToArray();
    }

    private static XElement CommandElement(CommandHelp command) =>
        new(
            Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MsHelp),
            new XElement(
                Command + "details",
                new XElement(Command + "name", command.Name),
                new XElement(Command + "verb", command.Verb),
                new XElement(Command + "noun", command.Noun),
                new XElement(Maml + "description", Paragraphs(command.Synopsis))),
            new XElement(Maml + "description", Paragraphs(command.Description)),
            new XElement(Command + "syntax", command.SyntaxSets.Select(set => SyntaxItem(command, set))),
            new XElement(Command + "parameters", command.Parameters.Select(p => Parameter(p, p.Metadata[0], inSyntax: false))),
            new XElement(Command + "inputTypes", command.Inputs.Select(i => TypeElement(Command + "inputType", i))),
            new XElement(Command + "returnValues", command.Outputs.Select(o => TypeElement(Command + "returnValue", o))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(command.Notes))),
            new XElement(Command + "examples", command.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", command.Links.Select(Link)));

    private static XElement SyntaxItem(CommandHelp command, SyntaxSet set)
    {
        // Positional parameters first, by position; then the named ones in the order the file lists them.
        var parameters = CommandHelpParser.ParametersOf(command, set)
            .Select((entry, order) => (entry.Parameter, entry.Metadata, order))
            .OrderBy(e => e.Metadata.MamlPosition == "named" ? int.MaxValue : int.Parse(e.Metadata.MamlPosition, System.Globalization.CultureInfo.InvariantCulture))
            .ThenBy(e => e.order);
        return new XElement(
            Command + "syntaxItem",
            new XElement(Maml + "name", command.Name),
            parameters.Select(e => Parameter(e.Parameter, e.Metadata, inSyntax: true)));
    }

    private static XElement Parameter(ParameterHelp parameter, ParameterMetadata metadata, bool inSyntax)
    {
        string type = metadata.IsSwitch ? "SwitchParameter" : metadata.Type;
        string defaultValue = metadata.IsSwitch && metadata.DefaultValue.Equals("None", StringComparison.OrdinalIgnoreCase) ? "False" : metadata.DefaultValue;
        return new XElement(
            Command + "parameter",
            new XAttribute("required", metadata.Required ? "true" : "false"),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", metadata.Globbing ? "true" : "false"),
            new XAttribute("pipelineInput", metadata.PipelineInput),
            new XAttribute("position", metadata.MamlPosition),
            new XAttribute("aliases", metadata.Aliases.Count > 0 ? string.Join(", ", metadata.Aliases) : "none"),
            new XElement(Maml + "name", parameter.Name),
            new XElement(Maml + "Description", Paragraphs(parameter.Description)),
            inSyntax && metadata.AcceptedValues.Count > 0
                ? new XElement(
                    Command + "parameterValueGroup",
                    metadata.AcceptedValues.Select(v => new XElement(
                        Command + "parameterValue",
                        new XAttribute("required", "false"),
                        new XAttribute(Command + "variableLength", "false"),
                        v)))
                : null,
            inSyntax && metadata.IsSwitch
                ? null
                : new XElement(
                    Command + "parameterValue",
                    new XAttribute("required", metadata.IsSwitch ? "false" : "true"),
                    new XAttribute("variableLength", "false"),
                    type),
            new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", defaultValue));
    }

    private static XElement TypeElement(XName name, TypeHelp type) =>
        new(
            name,
            new XElement(Dev + "type", new XElement(Maml + "name", type.TypeName)),
            new XElement(Maml + "description", Paragraphs(type.Description)));

    private static XElement Example(ExampleHelp example) =>
        new(
            Command + "example",
            new XElement(Maml + "title", PadExampleTitle(example.Title)),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

    private static XElement Link(LinkHelp link) =>
        new(
            Maml + "navigationLink",
            new XElement(Maml + "linkText", link.Text),
            new XElement(Maml + "uri", Prose.IsWebUri(link.Uri) ? link.Uri : string.Empty));

    /// <summary>One maml:para per paragraph; an empty section still gets one empty para, as PlatyPS writes it.</summary>
    private static IEnumerable<XElement> Paragraphs(IReadOnlyList<string> paragraphs) =>
        paragraphs.Count == 0
            ? new[] { new XElement(Maml + "para", string.Empty) }
            : paragraphs.Select(p => new XElement(Maml + "para", p));

    /// <summary>
    /// Centres the example title in dashes to a width of 64, as PlatyPS does:
    /// "Example 1: Test one server" becomes "------------------ Example 1: Test one server ------------------".
    /// Titles of 62 characters or more stay as they are.
    /// </summary>
    public static string PadExampleTitle(string title)
    {
        if (string.IsNullOrWhiteSpace(title) || title.Length >= ExampleTitleWidth - 2)
        {
            return title;
        }

        string dashes = new('-', (ExampleTitleWidth - title.Length - 2) / 2);
        return $"{dashes} {title} {dashes}";
    }
}
