using System;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>
/// The help sources of the Exchange cmdlets (the schema, parameters and sets are held to the cmdlets by
/// ModuleHelpTests): at least three examples that parse, use the cmdlet and explain themselves; the error ids named.
/// </summary>
public sealed class ExchangeHelpTests
{
    public static TheoryData<string, string[]> Cmdlets => new()
    {
        { "Get-MapiHttpMailboxState", new[] { "ExchangeCmdletsNotFound", "OrganizationConfigUnavailable", "MailboxFilterRejected", "MailboxNotFound", "MailboxReadFailed", "SnapshotInvalid", "SnapshotNotRecognized", "SnapshotVersionUnsupported" } },
        { "Export-MapiHttpSnapshot", new[] { "SnapshotExists", "SnapshotPathInvalid", "ExchangeCmdletsNotFound", "ServerNotFound", "MailboxNotFound", "SnapshotWriteFailed", "SnapshotVersionUnsupported", "SnapshotInvalid", "SnapshotNotRecognized" } },
        { "Invoke-MapiHttpDiagnostic", new[] { "ExchangeCmdletsNotFound", "SnapshotNotFound", "SnapshotNotRecognized", "SnapshotInvalid", "SnapshotVersionUnsupported", "ServerNotFound", "MailboxNotFound", "ExitCode", "ReportPathInvalid", "ReportNotWritten" } },
        { "Export-MapiHttpReport", new[] { "ReportExists", "ReportPathInvalid", "ReportNotWritten" } },
    };

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Help_has_at_least_three_examples_that_parse_and_names_every_error_id(string name, string[] errorIds)
    {
        string text = File.ReadAllText(Path.Combine(ModuleSession.RepoRoot, "en-US", name + ".md")).Replace("\r\n", "\n");
        int start = text.IndexOf("## EXAMPLES\n", StringComparison.Ordinal);
        string examplesSection = text.Substring(start, text.IndexOf("## PARAMETERS\n", StringComparison.Ordinal) - start);
        string[] examples = Regex.Split(examplesSection, "^### ", RegexOptions.Multiline).Skip(1).ToArray();

        Assert.True(examples.Length >= 3, $"{examples.Length} examples");
        foreach (string example in examples)
        {
            Assert.Matches("^Example \\d+: \\S", example);
            Match code = Regex.Match(example, "```powershell\n(?<code>.*?)```", RegexOptions.Singleline);
            Assert.True(code.Success, example);
            Parser.ParseInput(code.Groups["code"].Value, out _, out ParseError[] errors);
            Assert.True(errors.Length == 0, code.Groups["code"].Value);
            Assert.Contains(name, code.Groups["code"].Value);
            string prose = Regex.Replace(example.Substring(example.IndexOf('\n')), "```.*?```", string.Empty, RegexOptions.Singleline).Trim();
            Assert.True(prose.Length > 40, example);
        }

        foreach (string id in errorIds)
        {
            Assert.Contains(id, text);
        }
    }
}
