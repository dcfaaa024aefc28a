using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Repair;

/// <summary>The PlatyPS help source of Repair-MapiVirtualDirectory: schema, every parameter as the cmdlet has it, examples that parse.</summary>
public sealed class RepairHelpTests
{
    private static readonly string HelpPath = Path.Combine(ModuleSession.RepoRoot, "en-US", "Repair-MapiVirtualDirectory.md");

    [Fact]
    public void Help_documents_every_parameter_including_WhatIf_and_Confirm_with_the_cmdlet_metadata()
    {
        string text = File.ReadAllText(HelpPath).Replace("\r\n", "\n");
        Assert.StartsWith("---\nexternal help file: MapiHttpTools.dll-Help.xml\nModule Name: MapiHttpTools\n", text);
        string[] sections = Regex.Matches(text, "^## (.+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(new[] { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" }, sections);

        using var session = new ModuleSession();
        CmdletInfo command = session.Invoke("Get-Command Repair-MapiVirtualDirectory").Objects<CmdletInfo>().Single();
        string[] parameters = command.Parameters.Keys.Where(p => !Cmdlet.CommonParameters.Contains(p)).OrderBy(p => p, StringComparer.Ordinal).ToArray();
        Assert.Contains("WhatIf", parameters);
        Assert.Contains("Confirm", parameters);
        string[] documented = Regex.Matches(text, @"^### -(\w+)\n", RegexOptions.Multiline).Select(m => m.Groups[1].Value).OrderBy(p => p, StringComparer.Ordinal).ToArray();
        Assert.Equal(parameters, documented);

        foreach (string parameter in parameters)
        {
            Match block = Regex.Match(text, $@"### -{parameter}\n(?<prose>[^#`]+)```yaml\n(?<yaml>[^`]+)```");
            Assert.True(block.Success, $"-{parameter} has no prose and yaml block");
            ParameterMetadata metadata = command.Parameters[parameter];
            Assert.Contains($"Type: {metadata.ParameterType.Name}\n", block.Groups["yaml"].Value);
            string sets = metadata.ParameterSets.ContainsKey(ParameterAttribute.AllParameterSets) || metadata.ParameterSets.Count == 3
                ? "(All)"
                : string.Join(", ", new[] { "Repair", "Recreate", "Restore" }.Where(metadata.ParameterSets.ContainsKey));
            Assert.Contains($"Parameter Sets: {sets}\n", block.Groups["yaml"].Value);
        }

        Assert.Contains("Accepted values: Ntlm, OAuth, Negotiate, Kerberos\n", text);
        Assert.Equal(
            command.ParameterSets.Select(s => s.Name).OrderBy(n => n, StringComparer.Ordinal),
            Regex.Matches(text, @"^### (\w+)( \(Default\))?\n```\nRepair-MapiVirtualDirectory", RegexOptions.Multiline).Select(m => m.Groups[1].Value).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal("Repair", command.DefaultParameterSet);
        Assert.Contains("### Repair (Default)\n", text);

        // Every error id the cmdlet can raise is named in the description.
        foreach (string id in new[] { "RecreateRequiresForce", "InvalidUrl", "NoRepairRequested", "ServerNotSpecified", "ExchangeCmdletsNotFound", "BackupNotFound", "BackupInvalid", "VirtualDirectoryNotFound", "AmbiguousVirtualDirectory", "ExchangeReadFailed", "InternalUrlRequired", "BackupWriteFailed", "RepairFailed" })
        {
            Assert.Contains(id, text);
        }
    }

    [Fact]
    public void Help_has_examples_that_parse_and_use_the_cmdlet()
    {
        string text = File.ReadAllText(HelpPath).Replace("\r\n", "\n");
        int start = text.IndexOf("## EXAMPLES\n", StringComparison.Ordinal);
        string[] examples = Regex.Split(text.Substring(start, text.IndexOf("## PARAMETERS\n", StringComparison.Ordinal) - start), "^### ", RegexOptions.Multiline).Skip(1).ToArray();

        Assert.True(examples.Length >= 3, $"{examples.Length} examples");
        foreach (string example in examples)
        {
            Assert.Matches("^Example \\d+: \\S", example);
            string code = Regex.Match(example, "```powershell\n(?<code>.*?)```", RegexOptions.Singleline).Groups["code"].Value;
            Parser.ParseInput(code, out _, out ParseError[] errors);
            Assert.True(errors.Length == 0, code);
            Assert.Contains("Repair-MapiVirtualDirectory", code);
        }

        Assert.Contains(examples, e => e.Contains("-WhatIf", StringComparison.Ordinal));
        Assert.Contains(examples, e => e.Contains("-RestoreFrom", StringComparison.Ordinal));
        Assert.Contains(examples, e => e.Contains("-Recreate -Force", StringComparison.Ordinal));
        Assert.Contains(examples, e => e.Contains("| Repair-MapiVirtualDirectory", StringComparison.Ordinal));
    }
}
