using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Xml.Linq;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Help;

/// <summary>
/// Get-Help as a user runs it against the built module folder: every exported cmdlet has full help (synopsis,
/// description, examples, every parameter documented and matching the cmdlet's real metadata), and the about topic
/// is found. The hosted engine runs with the invariant UI culture; PowerShell's help search tries the module
/// folder itself, then en-US and en (MUIFileSearcher), so the en-US help is found there and for other cultures.
/// </summary>
public sealed class ModuleHelpTests
{
    private const string ExtractHelp = """
        $help = Get-Help -Name $name -Full
        [pscustomobject]@{
            Synopsis    = [string]$help.Synopsis
            Description = (@($help.description) | ForEach-Object { $_.Text }) -join "`n"
            Examples    = @($help.examples.example | ForEach-Object {
                [pscustomobject]@{ Title = [string]$_.title; Code = [string]$_.code; Remarks = (@($_.remarks) | ForEach-Object { $_.Text }) -join "`n" } })
            Parameters  = @($help.parameters.parameter | ForEach-Object { Convert-HelpParameter $_ })
            Syntax      = @($help.syntax.syntaxItem | ForEach-Object { ,@($_.parameter | ForEach-Object { Convert-HelpParameter $_ }) })
        }
        """;

    private const string ConvertParameter = """
        function Convert-HelpParameter($p) {
            [pscustomobject]@{
                Name          = [string]$p.name
                Description   = (@($p.description) | ForEach-Object { $_.Text }) -join "`n"
                Type          = [string]$p.type.name
                Required      = [string]$p.required
                Position      = [string]$p.position
                PipelineInput = [string]$p.pipelineInput
            }
        }
        """;

    /// <summary>Every cmdlet the manifest exports: each gets the full-help checks, so a new cmdlet without help fails here.</summary>
    public static TheoryData<string> ExportedCmdlets
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in ((object[])ModuleTests.ReadManifest()["CmdletsToExport"]!).Cast<string>())
            {
                data.Add(name);
            }

            return data;
        }
    }

    [Fact]
    public void Test_MapiHttpEndpoint_has_full_help_with_every_parameter()
    {
        using var session = new ModuleSession();
        CmdletInfo cmdlet = session.Invoke("Get-Command -Name Test-MapiHttpEndpoint -Module MapiHttpTools").Objects<CmdletInfo>().Single();
        Help help = ReadHelp(session, cmdlet.Name);

        Assert.Equal("Tests the MAPI over HTTP path to Exchange, hop by hop, and names the cause of any failure.", help.Synopsis);
        Assert.Contains("/mapi/healthcheck.htm", help.Description, StringComparison.Ordinal);
        Assert.True(help.Examples.Count >= 3, $"{help.Examples.Count} examples");
        Assert.Contains(help.Examples, e => e.Code.Contains("Get-MapiVirtualDirectory", StringComparison.Ordinal) && e.Code.Contains("| Test-MapiHttpEndpoint", StringComparison.Ordinal));
        Assert.Contains(help.Examples, e => e.Code.Contains("-TargetAddress", StringComparison.Ordinal));
        Assert.Contains(help.Examples, e => e.Code.Contains("Get-Credential", StringComparison.Ordinal));
        Assert.Contains(help.Examples, e => e.Code.Contains("Register-ScheduledTask", StringComparison.Ordinal));
        Assert.Equal(CmdletParameterNames(cmdlet), help.Parameters.Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray());
        Assert.Equal(
            new[]
            {
                "AllowUnencryptedAuthentication", "CertificateExpiryWarningDays", "Credential", "ExpectedAuthenticationMethods", "ExternalUrl", "IISAuthenticationMethods", "Identity",
                "InternalUrl", "ProblemsOnly", "Server", "SkipCertificateCheck", "TargetAddress", "ThrottleLimit", "TimeoutSec", "Uri", "UrlType", "UseDefaultCredentials",
            },
            help.Parameters.Select(p => p.Name).ToArray());
        HelpParameter uri = help.Parameters.Single(p => p.Name == "Uri");
        Assert.Equal(("Uri[]", "true", "0", "True (ByPropertyName, ByValue)"), (uri.Type, uri.Required, uri.Position, uri.PipelineInput));
    }

    [Theory]
    [MemberData(nameof(ExportedCmdlets))]
    public void Every_exported_cmdlet_has_full_help_that_matches_its_parameters(string name)
    {
        using var session = new ModuleSession();
        CmdletInfo cmdlet = session.Invoke("Get-Command -Name $name -Module MapiHttpTools", new Dictionary<string, object?> { ["name"] = name }).Objects<CmdletInfo>().Single();

        // The help comes from the MAML the build wrote, not from PowerShell's syntax-only fallback.
        Assert.Equal("MapiHttpTools.dll-Help.xml", cmdlet.HelpFile);
        string maml = Path.Combine(Path.GetDirectoryName(ModuleSession.ModuleManifest)!, "en-US", cmdlet.HelpFile);
        XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        Assert.True(
            File.Exists(maml) && XDocument.Load(maml).Descendants(command + "name").Any(n => n.Value == name),
            $"{name} has no help: add en-US/{name}.md (PlatyPS schema) and build");

        Help help = ReadHelp(session, name);
        Assert.False(string.IsNullOrWhiteSpace(help.Synopsis), $"{name}: empty SYNOPSIS");
        Assert.False(help.Synopsis.StartsWith(name + " ", StringComparison.Ordinal), $"{name}: the synopsis is PowerShell's generated syntax, not written help");
        Assert.False(string.IsNullOrWhiteSpace(help.Description), $"{name}: empty DESCRIPTION");
        Assert.True(help.Examples.Count >= 3, $"{name}: {help.Examples.Count} examples, at least 3 wanted");
        Assert.All(help.Examples, e => Assert.False(string.IsNullOrWhiteSpace(e.Code), $"{name}: example '{e.Title}' has no code"));
        Assert.All(help.Examples, e => Assert.False(string.IsNullOrWhiteSpace(e.Remarks), $"{name}: example '{e.Title}' has no remarks"));
        // Each example shows the cmdlet it documents. (Its code may carry sample output, joined into the MAML code as
        // PlatyPS does, so the per-cmdlet help tests parse the markdown's powershell blocks instead.)
        Assert.All(help.Examples, e => Assert.True(e.Code.Contains(name, StringComparison.OrdinalIgnoreCase), $"{name}: example '{e.Title}' does not use {name}"));

        // Every parameter documented, none invented, each with prose, type and pipeline input as the cmdlet has them.
        Assert.Equal(CmdletParameterNames(cmdlet), help.Parameters.Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray());
        foreach (HelpParameter documented in help.Parameters)
        {
            ParameterMetadata actual = cmdlet.Parameters[documented.Name];
            Assert.False(string.IsNullOrWhiteSpace(documented.Description), $"{name} -{documented.Name}: no description");
            Assert.Equal(TypeName(actual.ParameterType), documented.Type);
        }

        // One syntax item per parameter set, with the same parameters, mandatory, position and pipeline input.
        Assert.Equal(cmdlet.ParameterSets.Count, help.Syntax.Count);
        foreach (CommandParameterSetInfo set in cmdlet.ParameterSets)
        {
            CommandParameterInfo[] parameters = set.Parameters.Where(p => !Cmdlet.CommonParameters.Contains(p.Name)).ToArray();
            var names = parameters.Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            IReadOnlyList<HelpParameter>? item = help.Syntax.FirstOrDefault(s => s.Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).SequenceEqual(names));
            Assert.True(item is not null, $"{name}: no syntax item lists the parameters of set '{set.Name}': {string.Join(", ", names)}");
            foreach (CommandParameterInfo parameter in parameters)
            {
                HelpParameter documented = item!.Single(p => p.Name == parameter.Name);
                string where = $"{name} -{parameter.Name} in set '{set.Name}'";
                Assert.True(parameter.IsMandatory.ToString().Equals(documented.Required, StringComparison.OrdinalIgnoreCase), $"{where}: Required is {documented.Required}, the cmdlet says {parameter.IsMandatory}");
                Assert.True(PositionText(parameter.Position) == documented.Position, $"{where}: Position is {documented.Position}, the cmdlet says {PositionText(parameter.Position)}");
                Assert.True(PipelineText(parameter) == documented.PipelineInput, $"{where}: Accept pipeline input is '{documented.PipelineInput}', the cmdlet says '{PipelineText(parameter)}'");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ExportedCmdlets))]
    public void Every_powershell_block_of_the_help_parses(string name)
    {
        // What an admin copies from the help must at least be valid PowerShell (sample output sits in other blocks).
        string text = File.ReadAllText(Path.Combine(ModuleSession.RepoRoot, "en-US", name + ".md")).Replace("\r\n", "\n");
        string[] blocks = System.Text.RegularExpressions.Regex.Matches(text, "```powershell\n(.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value).ToArray();

        Assert.True(blocks.Length >= 3, $"{name}: {blocks.Length} powershell blocks");
        foreach (string block in blocks)
        {
            System.Management.Automation.Language.Parser.ParseInput(block, out _, out System.Management.Automation.Language.ParseError[] errors);
            Assert.True(errors.Length == 0, $"{name}: does not parse: {string.Join("; ", errors.Select(e => e.Message))}\n{block}");
        }
    }

    [Fact]
    public void Every_help_source_documents_an_exported_cmdlet()
    {
        string[] exported = ((object[])ModuleTests.ReadManifest()["CmdletsToExport"]!).Cast<string>().OrderBy(n => n, StringComparer.Ordinal).ToArray();
        string[] documented = Directory.GetFiles(Path.Combine(ModuleSession.RepoRoot, "en-US"), "*.md")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => !n!.StartsWith("about_", StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray()!;

        // A renamed or removed cmdlet must not leave its help behind (and every exported one has a file).
        Assert.Equal(exported, documented);
    }

    [Fact]
    public void The_about_topic_is_found_and_names_every_exported_cmdlet()
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke("Get-Help -Name about_MapiHttpTools");
        Assert.True(result.Output.Count == 1, "Get-Help about_MapiHttpTools found no topic: is en-US/about_MapiHttpTools.help.txt in the module folder?");
        string topic = result.Output[0].BaseObject.ToString()!;

        Assert.StartsWith("TOPIC", topic, StringComparison.Ordinal);
        Assert.Contains("about_mapihttptools", topic, StringComparison.Ordinal);
        Assert.Contains("SHORT DESCRIPTION", topic, StringComparison.Ordinal);
        Assert.Contains("LONG DESCRIPTION", topic, StringComparison.Ordinal);
        foreach (string cause in Enum.GetNames<MapiHttpCause>().Where(c => c != nameof(MapiHttpCause.None)))
        {
            Assert.Contains($"- {cause}:", topic, StringComparison.Ordinal);
        }

        foreach (string cmdlet in ((object[])ModuleTests.ReadManifest()["CmdletsToExport"]!).Cast<string>())
        {
            Assert.Contains($"- {cmdlet}:", topic, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("en-US")]
    [InlineData("en-GB")]
    [InlineData("de-DE")]
    [InlineData("ja-JP")]
    public void Help_is_found_whatever_the_UI_culture(string culture)
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke(
            """
            [System.Threading.Thread]::CurrentThread.CurrentUICulture = [System.Globalization.CultureInfo]::GetCultureInfo($culture)
            [System.Globalization.CultureInfo]::CurrentUICulture.Name
            (Get-Help -Name Test-MapiHttpEndpoint).Synopsis
            (Get-Help -Name about_MapiHttpTools).Substring(0, 5)
            """,
            new Dictionary<string, object?> { ["culture"] = culture });

        Assert.Equal(
            new[] { culture, "Tests the MAPI over HTTP path to Exchange, hop by hop, and names the cause of any failure.", "TOPIC" },
            result.Output.Select(o => o.BaseObject.ToString()).ToArray());
    }

    private static string[] CmdletParameterNames(CmdletInfo cmdlet) =>
        cmdlet.Parameters.Keys.Where(k => !Cmdlet.CommonParameters.Contains(k)).OrderBy(n => n, StringComparer.Ordinal).ToArray();

    /// <summary>The type name PlatyPS writes: the short .NET name ("Uri[]", "SwitchParameter", "PSCredential").</summary>
    // PlatyPS documents Nullable<DateTime> as DateTime (what the user passes).
    private static string TypeName(Type type) => (Nullable.GetUnderlyingType(type) ?? type).Name;

    private static string PositionText(int position) => position == int.MinValue ? "named" : position.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string PipelineText(CommandParameterInfo parameter) => (parameter.ValueFromPipeline, parameter.ValueFromPipelineByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    private static Help ReadHelp(ModuleSession session, string name)
    {
        PSObject help = session.Invoke(ConvertParameter + "\n" + ExtractHelp, new Dictionary<string, object?> { ["name"] = name }).Output.Single();
        return new Help(
            (string)help.Properties["Synopsis"].Value,
            (string)help.Properties["Description"].Value,
            Items(help, "Examples").Select(e => new HelpExample((string)e.Properties["Title"].Value, (string)e.Properties["Code"].Value, (string)e.Properties["Remarks"].Value)).ToList(),
            Items(help, "Parameters").Select(ToParameter).ToList(),
            Items(help, "Syntax").Select(s => (IReadOnlyList<HelpParameter>)Items(s).Select(ToParameter).ToList()).ToList());
    }

    private static HelpParameter ToParameter(PSObject p) => new(
        (string)p.Properties["Name"].Value,
        (string)p.Properties["Description"].Value,
        (string)p.Properties["Type"].Value,
        (string)p.Properties["Required"].Value,
        (string)p.Properties["Position"].Value,
        (string)p.Properties["PipelineInput"].Value);

    private static IEnumerable<PSObject> Items(PSObject owner, string property) => Items(PSObject.AsPSObject(owner.Properties[property].Value));

    private static IEnumerable<PSObject> Items(PSObject value) =>
        value.BaseObject is object[] array ? array.Select(PSObject.AsPSObject) : new[] { value };

    private sealed record Help(string Synopsis, string Description, IReadOnlyList<HelpExample> Examples, IReadOnlyList<HelpParameter> Parameters, IReadOnlyList<IReadOnlyList<HelpParameter>> Syntax);

    private sealed record HelpExample(string Title, string Code, string Remarks);

    private sealed record HelpParameter(string Name, string Description, string Type, string Required, string Position, string PipelineInput);
}
