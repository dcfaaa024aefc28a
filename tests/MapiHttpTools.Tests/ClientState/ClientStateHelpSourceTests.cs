using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.ClientState;

/// <summary>
/// The help sources of the client-state cmdlets against the cmdlets themselves: the PlatyPS front matter, at least
/// three examples with code and remarks, and every parameter documented with its real type, sets and pipeline input.
/// </summary>
public sealed class ClientStateHelpSourceTests
{
    [Theory]
    [InlineData("Get-MapiHttpClientState")]
    [InlineData("Repair-MapiHttpClientState")]
    public void The_help_source_documents_the_cmdlet_as_it_is(string name)
    {
        string text = File.ReadAllText(Path.Combine(ModuleSession.RepoRoot, "en-US", name + ".md")).Replace("\r\n", "\n");
        using var session = new ModuleSession();
        CmdletInfo cmdlet = session.Invoke("Get-Command -Name $name -Module MapiHttpTools", new System.Collections.Generic.Dictionary<string, object?> { ["name"] = name }).Objects<CmdletInfo>().Single();

        Assert.StartsWith("---\nexternal help file: MapiHttpTools.dll-Help.xml\nModule Name: MapiHttpTools\n", text, StringComparison.Ordinal);
        Assert.Contains($"\n# {name}\n", text, StringComparison.Ordinal);
        foreach (string section in new[] { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" })
        {
            Assert.Contains($"\n## {section}\n", text, StringComparison.Ordinal);
        }

        MatchCollection examples = Regex.Matches(text, @"\n### Example \d+: [^\n]+\n```powershell\n(?<code>.*?)\n```\n\n(?<remarks>[^\n#`][^\n]*)", RegexOptions.Singleline);
        Assert.True(examples.Count >= 3, $"{name}: {examples.Count} examples with code and remarks");
        Assert.Equal(Regex.Matches(text, @"\n### Example ").Count, examples.Count);

        string parameters = text.Substring(text.IndexOf("\n## PARAMETERS\n", StringComparison.Ordinal));
        parameters = parameters.Substring(0, parameters.IndexOf("\n## INPUTS\n", StringComparison.Ordinal));
        var documented = Regex.Matches(parameters, @"\n### -(?<name>\w+)\n(?<prose>.+?)\n```yaml\n(?<yaml>.*?)\n```", RegexOptions.Singleline)
            .ToDictionary(m => m.Groups["name"].Value, m => (Prose: m.Groups["prose"].Value.Trim(), Yaml: m.Groups["yaml"].Value));
        string[] actual = cmdlet.Parameters.Keys.Where(k => !Cmdlet.CommonParameters.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToArray();
        Assert.Equal(actual, documented.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray());
        foreach (string parameter in actual)
        {
            ParameterMetadata metadata = cmdlet.Parameters[parameter];
            (string prose, string yaml) = documented[parameter];
            Assert.False(string.IsNullOrWhiteSpace(prose), $"-{parameter} has no description");
            Assert.Contains($"Type: {metadata.ParameterType.Name}\n", yaml, StringComparison.Ordinal);
            string sets = metadata.ParameterSets.Keys.Contains(ParameterAttribute.AllParameterSets) || cmdlet.ParameterSets.Count == 1
                ? "(All)"
                : string.Join(", ", metadata.ParameterSets.Keys.OrderBy(k => k, StringComparer.Ordinal));
            Assert.Contains($"Parameter Sets: {sets}\n", yaml, StringComparison.Ordinal);
            ParameterSetMetadata any = metadata.ParameterSets.Values.First();
            string pipeline = (any.ValueFromPipeline, any.ValueFromPipelineByPropertyName) switch
            {
                (true, true) => "True (ByPropertyName, ByValue)",
                (true, false) => "True (ByValue)",
                (false, true) => "True (ByPropertyName)",
                _ => "False",
            };
            Assert.Contains($"Accept pipeline input: {pipeline}\n", yaml, StringComparison.Ordinal);
            Assert.Contains($"Required: {any.IsMandatory}\n", yaml, StringComparison.Ordinal);
            Assert.Contains($"Aliases: {string.Join(", ", metadata.Aliases)}".TrimEnd() + "\n", yaml, StringComparison.Ordinal);
        }

        // Every error id the cmdlet can write is named in NOTES.
        string notes = text.Substring(text.IndexOf("\n## NOTES\n", StringComparison.Ordinal));
        string[] ids = name.StartsWith("Get", StringComparison.Ordinal)
            ? new[] { "RegistryExportInvalid", "RegistryExportNotFound", "RegistryExportAmbiguousUser", "AutodiscoverCachePathNotFound", "ClientStateUnavailableOnPlatform", "InvalidUserSid", "ComputerNameRequiresUserSid", "UserHiveNotLoaded", "RegistryAccessDenied" }
            : new[] { "OfflineRepairNotSupported", "BackupFailed", "RegistryWriteFailed", "AutodiscoverCacheMoveFailed", "CredentialDeleteFailed" };
        Assert.All(ids, id => Assert.Contains(id, notes, StringComparison.Ordinal));
    }
}
