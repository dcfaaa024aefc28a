using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Iis;

/// <summary>The PlatyPS help source of Get-MapiAppPoolHealth: its schema, every parameter, examples that parse.</summary>
public sealed class GetMapiAppPoolHealthHelpTests
{
    private static readonly string HelpPath = Path.Combine(ModuleSession.RepoRoot, "en-US", "Get-MapiAppPoolHealth.md");

    [Fact]
    public void Help_follows_the_PlatyPS_schema_and_documents_every_parameter()
    {
        string text = File.ReadAllText(HelpPath).Replace("\r\n", "\n");

        Assert.StartsWith("---\nexternal help file: MapiHttpTools.dll-Help.xml\nModule Name: MapiHttpTools\n", text);
        string[] sections = Regex.Matches(text, "^## (.+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(new[] { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" }, sections);
        Assert.Contains("# Get-MapiAppPoolHealth\n", text);

        using var session = new ModuleSession();
        var command = session.Invoke("Get-Command Get-MapiAppPoolHealth").Objects<CmdletInfo>().Single();
        string[] parameters = command.Parameters.Keys.Where(p => !Cmdlet.CommonParameters.Contains(p) && !Cmdlet.OptionalCommonParameters.Contains(p)).OrderBy(p => p).ToArray();
        string[] documented = Regex.Matches(text, @"^### -(\w+)\n", RegexOptions.Multiline).Select(m => m.Groups[1].Value).OrderBy(p => p).ToArray();
        Assert.Equal(parameters, documented);

        foreach (string parameter in parameters)
        {
            Match block = Regex.Match(text, $@"### -{parameter}\n(?<prose>[^#`]+)```yaml\n(?<yaml>[^`]+)```");
            Assert.True(block.Success, $"-{parameter} has no prose and yaml block");
            string yaml = block.Groups["yaml"].Value;
            foreach (string key in new[] { "Type:", "Parameter Sets:", "Aliases:", "Required:", "Position:", "Default value:", "Accept pipeline input:", "Accept wildcard characters:" })
            {
                Assert.Contains(key, yaml);
            }

            ParameterMetadata metadata = command.Parameters[parameter];
            Assert.Contains($"Type: {metadata.ParameterType.Name}\n", yaml);
            foreach (string alias in metadata.Aliases)
            {
                Assert.Matches($"Aliases:.*\\b{alias}\\b", yaml);
            }
        }

        // One syntax block per parameter set, named as the cmdlet names them.
        Assert.Equal(command.ParameterSets.Select(s => s.Name).OrderBy(n => n), Regex.Matches(text, @"^### (\w+)( \(Default\))?\n```\nGet-MapiAppPoolHealth", RegexOptions.Multiline).Select(m => m.Groups[1].Value).OrderBy(n => n));
    }

    [Fact]
    public void Help_has_at_least_three_examples_that_parse_and_use_the_cmdlet()
    {
        string text = File.ReadAllText(HelpPath).Replace("\r\n", "\n");
        string examplesSection = text.Substring(text.IndexOf("## EXAMPLES\n", StringComparison.Ordinal), text.IndexOf("## PARAMETERS\n", StringComparison.Ordinal) - text.IndexOf("## EXAMPLES\n", StringComparison.Ordinal));
        string[] examples = Regex.Split(examplesSection, "^### ", RegexOptions.Multiline).Skip(1).ToArray();

        Assert.True(examples.Length >= 3, $"{examples.Length} examples");
        foreach (string example in examples)
        {
            Assert.Matches("^Example \\d+: \\S", example);
            Match code = Regex.Match(example, "```powershell\n(?<code>.*?)```", RegexOptions.Singleline);
            Assert.True(code.Success, example);
            Parser.ParseInput(code.Groups["code"].Value, out _, out ParseError[] errors);
            Assert.True(errors.Length == 0, code.Groups["code"].Value);
            Assert.Contains("Get-MapiAppPoolHealth", code.Groups["code"].Value);
            string prose = Regex.Replace(example.Substring(example.IndexOf('\n')), "```.*?```", string.Empty, RegexOptions.Singleline).Trim();
            Assert.True(prose.Length > 40, example);
        }
    }

    [Fact]
    public void Nothing_in_the_source_or_help_advises_a_per_location_tokenChecking_change()
    {
        // Issue 11: Extended Protection is enabled server-wide with Microsoft's script once its prerequisites hold.
        var advice = new Regex(@"-Name\s+tokenChecking|tokenChecking\s+Require|/tokenChecking:|extendedProtection\.tokenChecking:", RegexOptions.IgnoreCase);
        string[] files = Directory.EnumerateFiles(Path.Combine(ModuleSession.RepoRoot, "src"), "*.*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(ModuleSession.RepoRoot, "en-US"), "*.*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".md", StringComparison.Ordinal) || f.EndsWith(".ps1xml", StringComparison.Ordinal) || f.EndsWith(".txt", StringComparison.Ordinal))
            .ToArray();
        Assert.NotEmpty(files);
        string[] offending = files.Where(f => advice.IsMatch(File.ReadAllText(f))).Select(f => Path.GetRelativePath(ModuleSession.RepoRoot, f)).ToArray();
        Assert.Empty(offending);
        Assert.Contains("ExchangeExtendedProtectionManagement.ps1", File.ReadAllText(HelpPath));
    }
}
