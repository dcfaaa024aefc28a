using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>Issue 20: hostile content inside a well-formed snapshot: one bad item is one clear error, the rest goes on.</summary>
public sealed class SnapshotHostileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.SnapshotHostile." + Guid.NewGuid().ToString("N"));

    public SnapshotHostileTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private (ModuleSession Session, string Path) Exported()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        var session = new ModuleSession();
        lab.Install(session);
        string path = Path.Combine(_folder, "contoso.xml");
        Assert.Empty(session.Invoke("Export-MapiHttpSnapshot -Path $p -Mailbox bob", new() { ["p"] = path }).Errors);
        return (session, path);
    }

    [Fact]
    public void A_certificate_with_empty_RawData_is_one_error_and_the_diagnostic_goes_on()
    {
        (ModuleSession session, string path) = Exported();
        using (session)
        {
            var rawData = new Regex("<BA N=\"RawData\">[^<]*</BA>");
            File.WriteAllText(path, rawData.Replace(File.ReadAllText(path), "<BA N=\"RawData\"></BA>", 1));

            ScriptResult run = session.InvokeCatching("Invoke-MapiHttpDiagnostic -SnapshotPath $p -SkipEndpointTest -SkipIisCheck", new() { ["p"] = path });

            Assert.Null(run.TerminatingError);
            MapiHttpResult[] results = run.Objects<MapiHttpResult>().ToArray();
            MapiHttpResult error = Assert.Single(results, r => r.Status == CheckStatus.Error && r.Message.Contains("RawData"));
            Assert.Equal("EX01", error.Target);
            Assert.Contains("has RawData that is not a certificate", error.Message);
            Assert.Contains(results, r => r.Server == "EX02" && r.Status == CheckStatus.Pass);
        }
    }

    [Fact]
    public void A_CreatedUtc_no_snapshot_was_taken_at_is_SnapshotInvalid_not_a_crash()
    {
        (ModuleSession session, string path) = Exported();
        using (session)
        {
            var created = new Regex("<DT N=\"Value\">[^<]*</DT>");
            string text = File.ReadAllText(path);
            int at = text.IndexOf("<S N=\"Key\">CreatedUtc</S>", StringComparison.Ordinal);
            Assert.True(at > 0, text.Substring(0, 600));
            text = text.Substring(0, at) + created.Replace(text.Substring(at), "<DT N=\"Value\">9999-12-31T00:00:00Z</DT>", 1);
            File.WriteAllText(path, text);

            ScriptResult run = session.InvokeCatching("Invoke-MapiHttpDiagnostic -SnapshotPath $p -SkipEndpointTest -SkipIisCheck", new() { ["p"] = path });

            Assert.Equal("SnapshotInvalid,MapiHttpTools.Commands.InvokeMapiHttpDiagnosticCommand", Assert.Single(run.ErrorIds));
            Assert.Contains("its CreatedUtc 9999-12-31 00:00:00 is not a time a snapshot could have been taken", (run.TerminatingError ?? run.Errors[0]).Exception.Message);
        }
    }

    [Fact]
    public void CreatedBy_with_control_characters_reaches_verbose_text_escaped()
    {
        (ModuleSession session, string path) = Exported();
        using (session)
        {
            string text = File.ReadAllText(path);
            Assert.Contains("<S N=\"Key\">CreatedBy</S>", text);
            text = new Regex("(<S N=\"Key\">CreatedBy</S>\\s*<S N=\"Value\">)[^<]*").Replace(text, "$1evil_x001B_]0;owned_x0007_", 1);
            File.WriteAllText(path, text);

            ScriptResult run = session.InvokeCatching("Invoke-MapiHttpDiagnostic -SnapshotPath $p -SkipEndpointTest -SkipIisCheck -Verbose", new() { ["p"] = path });

            string line = Assert.Single(run.Verbose, v => v.StartsWith("Checking ", StringComparison.Ordinal));
            Assert.Contains(@"by evil\e]0;owned\a", line);
            Assert.DoesNotContain("\u001b", string.Concat(run.Verbose), StringComparison.Ordinal);
        }
    }
}
