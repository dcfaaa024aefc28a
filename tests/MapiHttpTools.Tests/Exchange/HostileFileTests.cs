using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MapiHttpTools.Iis;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Iis;
using MapiHttpTools.Tests.Repair;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>
/// Issue 20: each CLIXML file kind a customer may send (snapshot, event export, GetWebBinding.xml, repair backup) is
/// read through the cmdlets while the session has a type converter registered for a type the file names. Under
/// PSSerializer the converter runs (the control in ClixmlReaderTests); through the module it must never run.
/// </summary>
public sealed class HostileFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.Hostile." + Guid.NewGuid().ToString("N"));

    public HostileFileTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Puts a tripwire object into the first property list of the file (or the first dictionary).</summary>
    private static void Arm(string path)
    {
        string text = File.ReadAllText(path);
        int props = text.IndexOf("<Props>", StringComparison.Ordinal);
        int ms = text.IndexOf("<MS>", StringComparison.Ordinal);
        int at = props < 0 ? ms : ms < 0 ? props : Math.Min(props, ms);
        Assert.True(at >= 0, "the file has no property list to arm");
        int end = text.IndexOf('>', at) + 1;
        File.WriteAllText(path, text.Substring(0, end) + Tripwire.Property("Hostile") + text.Substring(end));
        Assert.Contains("Contoso.Tripwire", File.ReadAllText(path));
    }

    [Fact]
    public void A_snapshot_read_with_SnapshotPath_never_runs_a_session_converter()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        using var session = new ModuleSession();
        lab.Install(session);
        Tripwire.Register(session, _folder);
        string path = Path.Combine(_folder, "snapshot.xml");
        Assert.Empty(session.Invoke("Export-MapiHttpSnapshot -Path $p -Mailbox bob", new() { ["p"] = path }).Errors);
        Arm(path);

        ScriptResult run = session.Invoke("Get-MapiHttpMailboxState -SnapshotPath $p", new() { ["p"] = path });

        Assert.Empty(run.Errors);
        Assert.Single(run.Output);
        Assert.False(Tripwire.Tripped(session));
    }

    [Fact]
    public void An_event_export_and_a_binding_export_never_run_a_session_converter()
    {
        using var iis = new IisFixture();
        using var session = new ModuleSession();
        Tripwire.Register(session, _folder);
        string events = iis.Events(new[] { IisFixture.Event(5011, DateTime.UtcNow.AddHours(-1), IisFixture.WasCrash("MSExchangeMapiFrontEndAppPool")) });
        Arm(events);
        string config = iis.Variant(withBindingSnapshot: true);
        Arm(Path.Combine(Path.GetDirectoryName(config)!, ApplicationHostConfigFile.BindingSnapshotFileName));

        ScriptResult run = session.Invoke("Get-MapiAppPoolHealth -ConfigurationPath $path -EventPath $events", new() { ["path"] = config, ["events"] = events });

        Assert.Empty(run.Errors);
        Assert.NotEmpty(run.Output);
        Assert.False(Tripwire.Tripped(session));
    }

    [Fact]
    public void A_repair_backup_read_with_RestoreFrom_WhatIf_never_runs_a_session_converter()
    {
        using var repair = new RepairSession();
        Tripwire.Register(repair.Session, _folder);
        ScriptResult change = repair.Repair("-Server EX01 -AuthenticationMethods Negotiate -SkipVerify -Confirm:$false");
        Assert.Empty(change.ErrorIds);
        string backup = Assert.Single(repair.BackupFiles);
        string text = File.ReadAllText(backup);
        int dct = text.IndexOf("<DCT>", StringComparison.Ordinal);
        Assert.True(dct >= 0);
        File.WriteAllText(backup, text.Substring(0, dct + 5) + "<En><S N=\"Key\">Hostile</S>" + Tripwire.Property("Value") + "</En>" + text.Substring(dct + 5));

        ScriptResult restore = repair.Repair("-Server EX01 -RestoreFrom $path -WhatIf", new() { ["path"] = backup });

        Assert.Empty(restore.ErrorIds);
        Assert.NotEmpty(restore.Objects<MapiRepairResult>());
        Assert.False(Tripwire.Tripped(repair.Session));
    }
}
