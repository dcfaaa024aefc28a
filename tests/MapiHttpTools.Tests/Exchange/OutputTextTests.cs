using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>Issue 11, item 4: what an admin reads at 120 columns, through the real views of the module.</summary>
public sealed class OutputTextTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.Output." + Guid.NewGuid().ToString("N"));

    public OutputTextTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_snapshot_file_shows_its_size_and_mode()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        using var session = new ModuleSession(width: 120);
        lab.Install(session);
        string path = Path.Combine(_folder, "contoso.xml");

        session.Invoke("Export-MapiHttpSnapshot -Path $p | Out-Default", new() { ["p"] = path });

        string row = session.Host.Output.Split('\n').Single(l => l.TrimEnd().EndsWith(" contoso.xml", StringComparison.Ordinal));
        long length = new FileInfo(path).Length;
        Assert.Matches(@"^-rw", row);
        Assert.Contains($" {length} contoso.xml", row);
    }

    [Fact]
    public void A_mailbox_result_reads_as_its_identity()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        using var session = new ModuleSession(width: 120);
        lab.Install(session);
        session.Invoke("function global:Set-CASMailbox { [CmdletBinding(SupportsShouldProcess)] param([Parameter(ValueFromPipeline)] $InputObject) process { $null = $PSCmdlet.ShouldProcess(\"$InputObject\", 'Set-CASMailbox') } }");

        ScriptResult run = session.Invoke("$r = Get-MapiHttpMailboxState -Identity bob; \"$r\"; $r | Set-CASMailbox -WhatIf; $r | Out-Default");

        Assert.Equal("contoso.lab/Users/Bob Example", run.Output[0].BaseObject);
        Assert.Contains("What if: Performing the operation \"Set-CASMailbox\" on target \"contoso.lab/Users/Bob Example\".", session.Host.Output);
        Assert.DoesNotContain("MapiHttpTools.MapiHttpMailboxStateResult", session.Host.Output);
        Assert.DoesNotContain("System.", session.Host.Output);
    }

    [Fact]
    public void EvidenceSummary_prints_lists_and_nested_values_readably()
    {
        using var session = new ModuleSession(width: 120);
        var nested = new System.Collections.Specialized.OrderedDictionary { ["Ntlm"] = 2, ["Names"] = new[] { "EX01", "EX02" } };
        var result = new MapiHttpMailboxStateResult(CheckStatus.Pass, MapiHttpCause.None, "contoso.lab/Users/Bob Example", "bob@contoso.lab", "Bob Example",
            true, null, true, false, false, null, MapiClientProtocol.MapiHttp, "ok", null,
            new[]
            {
                new KeyValuePair<string, object?>("OfferedAuthentication", new[] { "Negotiate", "NTLM", "Bearer" }),
                new KeyValuePair<string, object?>("Seen", new DateTime(2026, 12, 4, 22, 15, 0, DateTimeKind.Utc)),
                new KeyValuePair<string, object?>("Nested", nested),
                new KeyValuePair<string, object?>("Missing", null),
                new KeyValuePair<string, object?>("Agent", "evil\u001b]0;owned\u0007"),
            });

        ScriptResult run = session.Invoke("$r.EvidenceSummary", new() { ["r"] = result });

        Assert.Equal(
            @"OfferedAuthentication=Negotiate, NTLM, Bearer; Seen=2026-12-04 22:15:00Z; Nested={Ntlm=2, Names=(EX01, EX02)}; Missing=$null; Agent=evil\e]0;owned\a",
            run.Output.Single().BaseObject);
    }
}
