using System.Collections.Generic;

namespace MapiHttpTools.HelpBuilder.Model;

/// <summary>Everything one <c>Verb-Noun.md</c> file says about its cmdlet, checked against the schema.</summary>
internal sealed class CommandHelp
{
    public CommandHelp(string name, string sourcePath, string externalHelpFile, string moduleName)
    {
        Name = name;
        SourcePath = sourcePath;
        ExternalHelpFile = externalHelpFile;
        ModuleName = moduleName;
    }

    public string Name { get; }

    public string Verb => Name.Substring(0, Name.IndexOf('-'));

    public string Noun => Name.Substring(Name.IndexOf('-') + 1);

    public string SourcePath { get; }

    /// <summary>Front matter <c>external help file</c>: the MAML file this command goes into.</summary>
    public string ExternalHelpFile { get; }

    public string ModuleName { get; }

    public List<string> Synopsis { get; } = new();

    public List<string> Description { get; } = new();

    /// <summary>The SYNTAX section's parameter sets in the order written; one unnamed entry for a single block.</summary>
    public List<SyntaxSet> SyntaxSets { get; } = new();

    public List<ParameterHelp> Parameters { get; } = new();

    public bool SupportsCommonParameters { get; set; }

    public List<ExampleHelp> Examples { get; } = new();

    public List<TypeHelp> Inputs { get; } = new();

    public List<TypeHelp> Outputs { get; } = new();

    public List<string> Notes { get; } = new();

    public List<LinkHelp> Links { get; } = new();
}

/// <summary>One <c>### SetName</c> + code block of SYNTAX. Name is null when SYNTAX has a single block without heading.</summary>
internal sealed record SyntaxSet(string? Name, bool IsDefault, string Syntax, int Line);

/// <summary>A <c>### -Name</c> entry of PARAMETERS: its prose and one metadata block per group of parameter sets.</summary>
internal sealed class ParameterHelp
{
    public ParameterHelp(string name, int line)
    {
        Name = name;
        Line = line;
    }

    public string Name { get; }

    public int Line { get; }

    public List<string> Description { get; } = new();

    public List<ParameterMetadata> Metadata { get; } = new();
}

/// <summary>One <c>```yaml</c> block of a parameter.</summary>
internal sealed record ParameterMetadata(
    int Line,
    string Type,
    IReadOnlyList<string> ParameterSets,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> AcceptedValues,
    bool Required,
    string Position,
    string DefaultValue,
    bool ByValue,
    bool ByPropertyName,
    bool Globbing)
{
    /// <summary>The moniker PlatyPS writes for a parameter that is in every parameter set.</summary>
    public const string AllParameterSets = "(All)";

    public bool InAllSets => ParameterSets.Count == 1 && ParameterSets[0] == AllParameterSets;

    public bool IsSwitch => Type is "SwitchParameter" or "System.Management.Automation.SwitchParameter" or "switch";

    /// <summary>Position as MAML writes it: a number, or "named".</summary>
    public string MamlPosition => Position.Equals("Named", System.StringComparison.OrdinalIgnoreCase) ? "named" : Position;

    /// <summary>Pipeline input as Get-Help shows it: "False", "True (ByValue)", "True (ByPropertyName)" or "True (ByPropertyName, ByValue)".</summary>
    public string PipelineInput => (ByValue, ByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };
}

internal sealed record ExampleHelp(string Title, string Code, IReadOnlyList<string> Remarks, int Line);

/// <summary>An INPUTS or OUTPUTS entry: <c>### TypeName</c> and its prose.</summary>
internal sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);

internal sealed record LinkHelp(string Text, string Uri);
