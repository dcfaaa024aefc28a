using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using MapiHttpTools.Exchange.Snapshot;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Exchange;
using Xunit;
using static MapiHttpTools.Tests.Exchange.Clixml;

namespace MapiHttpTools.Tests.ClientProtocols;

/// <summary>
/// The IMAP4/POP3 Exchange side in snapshots and in Invoke-MapiHttpDiagnostic -IncludeProtocol (issue 16): live and
/// offline give the same results; an older snapshot says it does not carry them; -Anonymize hides the mailboxes in the
/// new entries; a stopped MSExchangeIMAP4 is named in the verdict with its fix. Stand-in Get-ImapSettings,
/// Get-PopSettings and Get-Service return objects as a remote Exchange session delivers them and record their calls
/// beside the lab's other Exchange cmdlets.
/// </summary>
public sealed class ClientProtocolSnapshotTests : IDisposable
{
    private const string StopImap = "MSExchangeIMAP4";

    private const string StandIns = @"
function global:Get-ImapSettings {
    [CmdletBinding()] param([object] $Server, [string] $DomainController)
    if (Record 'Get-ImapSettings' $PSBoundParameters) { Fail 'Get-ImapSettings' $Server; return }
    $global:MailLab.Imap[[string]$Server]
}
function global:Get-PopSettings {
    [CmdletBinding()] param([object] $Server, [string] $DomainController)
    if (Record 'Get-PopSettings' $PSBoundParameters) { Fail 'Get-PopSettings' $Server; return }
    $global:MailLab.Pop[[string]$Server]
}
function global:Get-Service {
    [CmdletBinding()] param([Parameter(Position = 0)][string[]] $Name, [string[]] $ComputerName)
    $null = Record 'Get-Service' $PSBoundParameters
    foreach ($n in $Name) {
        $s = $global:MailLab.Services[""$ComputerName/$n""]
        if ($s) { $s } else { Write-Error ""Cannot find any service with service name '$n'."" -Category ObjectNotFound -TargetObject $n }
    }
}
";

    /// <summary>PowerShell 7 on Windows: Get-Service without -ComputerName; another server's services through Invoke-Command.</summary>
    private const string RemotingStandIns = @"
function global:Get-Service {
    [CmdletBinding()] param([Parameter(Position = 0)][string[]] $Name)
    $null = Record 'Get-Service' $PSBoundParameters
    foreach ($n in $Name) {
        $s = $global:MailLab.Services[""$global:RemoteComputer/$n""]
        if ($s) { $s } else { Write-Error ""Cannot find any service with service name '$n'."" -Category ObjectNotFound -TargetObject $n }
    }
}
function global:Invoke-Command {
    [CmdletBinding()] param([string[]] $ComputerName, [scriptblock] $ScriptBlock, [object[]] $ArgumentList)
    $null = Record 'Invoke-Command' $PSBoundParameters
    if ($global:MailLab.Unreachable -contains $ComputerName[0]) {
        $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new(
            [System.Management.Automation.Remoting.PSRemotingTransportException]::new(""Connecting to remote server $($ComputerName[0]) failed with the following error message : WinRM cannot complete the operation.""),
            'CannotConnect,PSSessionStateBroken', 'OpenError', $ComputerName[0]))
        return
    }
    $global:RemoteComputer = $ComputerName[0]
    & $ScriptBlock @ArgumentList
}
";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.ImapSnapshot." + Guid.NewGuid().ToString("N"));

    public ClientProtocolSnapshotTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_stopped_MSExchangeIMAP4_is_named_in_the_verdict_with_its_fix()
    {
        using ModuleSession session = LiveSession(ExchangeLab.Contoso("EX01"), isWindows: true, stopped: StopImap);

        ScriptResult run = session.Invoke("Invoke-MapiHttpDiagnostic -SkipIisCheck -IncludeProtocol Imap4 -Mailbox alice -TimeoutSec 2");

        Assert.Empty(run.Errors);
        ExchangeClientProtocolResult service = run.Objects<ExchangeClientProtocolResult>().Single(r => r.Check == "Service:MSExchangeIMAP4");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Service, "EX01"), (service.Status, service.Cause, service.Server));
        Assert.Equal("MSExchangeIMAP4 on EX01 is stopped (Stopped, start type Manual): IMAP4 clients cannot connect.", service.Message);

        MapiHttpVerdictResult verdict = run.Objects<MapiHttpVerdictResult>().Single();
        const string fix = "Invoke-Command -ComputerName EX01 -ScriptBlock { Set-Service -Name MSExchangeIMAP4 -StartupType Automatic; Start-Service -Name MSExchangeIMAP4 }";
        Assert.Equal(CheckStatus.Fail, verdict.Status);
        Assert.Equal("MAPI/HTTP looks healthy, but client protocols fail: IMAP4 on EX01.", verdict.Headline);

        // The stopped service explains the refused connection the probe saw: the Exchange side's cause is named.
        Assert.Contains("Client protocols: IMAP4 fails on EX01 (Service at Service:MSExchangeIMAP4); IMAP4 works for alice.", verdict.Message, StringComparison.Ordinal);
        Assert.Contains("Fix IMAP4 on EX01: " + fix, verdict.Message, StringComparison.Ordinal);
        Assert.Equal((MapiHttpCause.Service, fix), (verdict.Cause, verdict.Recommendation));
        Assert.Contains(run.Objects<ExchangeClientProtocolResult>(), r => r.Check == "TcpConnect" && r.Server == "EX01" && r.Status == CheckStatus.Fail);

        // The calls the Exchange side made, in order, with Exchange's parameters.
        Assert.Equal(
            new[]
            {
                "Get-ImapSettings -Server EX01",
                "Get-Service -Name MSExchangeIMAP4,MSExchangeIMAP4BE -ComputerName EX01",
                "Get-ServerComponentState -Identity EX01 -Component ImapProxy",
                "Get-CASMailbox -Identity alice",
            },
            MailCalls(session).SkipWhile(c => !c.StartsWith("Get-ImapSettings", StringComparison.Ordinal)));
    }

    [Fact]
    public void Where_Get_Service_has_no_ComputerName_another_servers_services_are_read_through_Invoke_Command()
    {
        string path = Path.Combine(_folder, "remoting.xml");
        using ModuleSession session = LiveSession(ExchangeLab.Contoso("EX01", "EX02"), isWindows: true, StopImap, remoting: true);

        ScriptResult run = session.Invoke("Invoke-MapiHttpDiagnostic -SkipIisCheck -SkipEndpointTest -IncludeProtocol Imap4");

        Assert.Empty(run.Errors);
        ExchangeClientProtocolResult[] services = run.Objects<ExchangeClientProtocolResult>().Where(r => r.Check.StartsWith("Service:", StringComparison.Ordinal)).ToArray();
        Assert.Equal(
            new[]
            {
                "EX01 Service:MSExchangeIMAP4 Fail MSExchangeIMAP4 on EX01 is stopped (Stopped, start type Manual): IMAP4 clients cannot connect.",
                "EX01 Service:MSExchangeIMAP4BE Pass MSExchangeIMAP4BE on EX01: Running, start type Automatic.",

                // WinRM down is said as such, never taken for "the service does not exist".
                "EX02 Service:MSExchangeIMAP4 Error Could not read it: Connecting to remote server EX02 failed with the following error message : WinRM cannot complete the operation.",
                "EX02 Service:MSExchangeIMAP4BE Error Could not read it: Connecting to remote server EX02 failed with the following error message : WinRM cannot complete the operation.",
            },
            services.Select(r => $"{r.Server} {r.Check} {r.Status} {r.Message}"));
        Assert.Equal(
            "Invoke-Command -ComputerName EX01 -ScriptBlock { Set-Service -Name MSExchangeIMAP4 -StartupType Automatic; Start-Service -Name MSExchangeIMAP4 }",
            run.Objects<MapiHttpVerdictResult>().Single().Recommendation);

        // One Invoke-Command per server; on the server, Get-Service per name without -ComputerName.
        Assert.Equal(
            new[] { "Invoke-Command -ComputerName EX01", "Get-Service -Name MSExchangeIMAP4", "Get-Service -Name MSExchangeIMAP4BE", "Invoke-Command -ComputerName EX02" },
            MailCalls(session).Where(c => c.StartsWith("Invoke-Command", StringComparison.Ordinal) || c.StartsWith("Get-Service", StringComparison.Ordinal)));

        // The snapshot records what remoting read, and EX02's failure, for the offline run.
        Assert.Empty(session.Invoke("Export-MapiHttpSnapshot -Path $p", new Dictionary<string, object?> { ["p"] = path }).Errors);
        using var offline = new ModuleSession();
        ScriptResult replay = offline.Invoke("Invoke-MapiHttpDiagnostic -SnapshotPath $p -IncludeProtocol Imap4", new Dictionary<string, object?> { ["p"] = path });
        Assert.Equal(
            services.Select(r => $"{r.Server} {r.Check} {r.Status} {r.Message}"),
            replay.Objects<ExchangeClientProtocolResult>().Where(r => r.Check.StartsWith("Service:", StringComparison.Ordinal)).Select(r => $"{r.Server} {r.Check} {r.Status} {r.Message}"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Offline_from_the_snapshot_gives_the_results_the_live_run_gave(bool isWindows)
    {
        string path = Path.Combine(_folder, $"roundtrip-{isWindows}.xml");
        ExchangeClientProtocolResult[] live;
        string liveVerdict;
        using (ModuleSession session = LiveSession(ExchangeLab.Contoso("EX01", "EX02"), isWindows, StopImap))
        {
            ScriptResult run = session.Invoke("Invoke-MapiHttpDiagnostic -SkipIisCheck -SkipEndpointTest -IncludeProtocol Imap4, Pop3 -Mailbox alice, bob");
            Assert.Empty(run.Errors);
            live = run.Objects<ExchangeClientProtocolResult>().ToArray();
            liveVerdict = ClientPart(run.Objects<MapiHttpVerdictResult>().Single().Message);

            ExchangeLab.ClearCalls(session);
            ScriptResult export = session.Invoke("Export-MapiHttpSnapshot -Path $p -Mailbox alice, bob", new Dictionary<string, object?> { ["p"] = path });
            Assert.Empty(export.Errors);
            string[] calls = MailCalls(session).Where(c => !c.StartsWith("Get-ServerComponentState -Identity EX0") || c.Contains("Proxy", StringComparison.Ordinal)).ToArray();
            Assert.Contains("Get-ImapSettings -Server EX02", calls);
            Assert.Contains("Get-PopSettings -Server EX02", calls);
            Assert.Contains("Get-ServerComponentState -Identity EX02 -Component PopProxy", calls);
            Assert.Equal(isWindows ? 2 : 0, calls.Count(c => c.StartsWith("Get-Service -Name MSExchangeIMAP4,MSExchangeIMAP4BE,MSExchangePOP3,MSExchangePOP3BE -ComputerName EX0", StringComparison.Ordinal)));
        }

        // Another computer: no Exchange cmdlets at all, only the file.
        using var offline = new ModuleSession();
        ScriptResult replay = offline.Invoke("Invoke-MapiHttpDiagnostic -SnapshotPath $p -IncludeProtocol Imap4, Pop3 -Mailbox alice, bob", new Dictionary<string, object?> { ["p"] = path });

        Assert.Empty(replay.Errors);
        ExchangeClientProtocolResult[] fromSnapshot = replay.Objects<ExchangeClientProtocolResult>().ToArray();
        Assert.Equal(live.Select(Canon), fromSnapshot.Select(Canon));
        Assert.Equal(liveVerdict, ClientPart(replay.Objects<MapiHttpVerdictResult>().Single().Message));

        // What the comparison covers: each kind of fact, judged as the stand-ins set them.
        Assert.Equal(24, live.Length);
        ExchangeClientProtocolResult Row(string check, string target, ExchangeClientProtocol protocol = ExchangeClientProtocol.Imap4) =>
            fromSnapshot.Single(r => r.Check == check && r.Target == target && r.Protocol == protocol);
        Assert.Equal(CheckStatus.Warning, Row("CertificateName", "EX02", ExchangeClientProtocol.Pop3).Status);
        Assert.Equal(CheckStatus.Fail, Row("Component:PopProxy", "EX02", ExchangeClientProtocol.Pop3).Status);
        Assert.Equal(CheckStatus.Fail, Row("Mailbox", "bob").Status);
        Assert.Equal("Set-CASMailbox -Identity 'bob' -ImapEnabled $true", Row("Mailbox", "bob").Recommendation);
        Assert.Equal(CheckStatus.Pass, Row("Mailbox", "bob", ExchangeClientProtocol.Pop3).Status);
        if (isWindows)
        {
            Assert.Equal(CheckStatus.Fail, Row("Service:MSExchangeIMAP4", "EX01").Status);
            Assert.Contains("Client protocols: IMAP4 fails on EX01 (Service at Service:MSExchangeIMAP4);", liveVerdict, StringComparison.Ordinal);
        }
        else
        {
            ExchangeClientProtocolResult skipped = Row("Service:MSExchangeIMAP4", "EX01");
            Assert.Equal(CheckStatus.Skipped, skipped.Status);
            Assert.Equal("MSExchangeIMAP4 not read: Windows services are read on Windows only (Get-Service); run this on the Exchange server or in Windows PowerShell on a Windows machine.", skipped.Message);
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task A_snapshot_taken_before_the_IMAP4_POP3_side_was_recorded_is_read_with_those_checks_skipped_and_why()
    {
        // What the module wrote before issue 16: no ImapSettings, PopSettings or Service sections, no ImapEnabled/PopEnabled.
        ExchangeLab lab = ExchangeLab.Contoso("EX01");
        SnapshotContent content = await new SnapshotCollector(lab.Source(), new LabResolver())
            .CollectAsync(new SnapshotRequest(null, new[] { "alice" }, false, null), (_, _) => { }, (_, _) => { }, _ => { }, CancellationToken.None);
        content.CreatedBy = "MapiHttpTools 1.0.0";
        foreach (PSObject mailbox in content.Sections[SnapshotSections.CasMailbox])
        {
            mailbox.Properties.Remove("ImapEnabled");
            mailbox.Properties.Remove("PopEnabled");
        }

        string path = Path.Combine(_folder, "old.xml");
        SnapshotWriter.Write(content, path, anonymize: false);
        Assert.DoesNotContain("ImapEnabled", File.ReadAllText(path), StringComparison.Ordinal);

        using var session = new ModuleSession();
        ScriptResult run = session.Invoke("Invoke-MapiHttpDiagnostic -SnapshotPath $p -IncludeProtocol Imap4 -Mailbox alice", new Dictionary<string, object?> { ["p"] = path });

        Assert.Empty(run.Errors);
        ExchangeClientProtocolResult[] rows = run.Objects<ExchangeClientProtocolResult>().ToArray();
        Assert.Equal(
            new[] { "CertificateName", "Service:MSExchangeIMAP4", "Service:MSExchangeIMAP4BE", "Component:ImapProxy", "Mailbox" },
            rows.Select(r => r.Check));
        Assert.All(rows, r => Assert.Equal(CheckStatus.Skipped, r.Status));
        const string servers = "This snapshot does not carry Get-ImapSettings/Get-PopSettings, the IMAP4/POP3 services and ImapProxy/PopProxy: it was taken by MapiHttpTools 1.0.0, which did not record them. Export a new snapshot to judge them offline.";
        Assert.Equal(servers, rows[0].Message);
        Assert.Equal("MSExchangeIMAP4 not read: " + servers, rows[1].Message);
        Assert.Equal(servers, rows[3].Message);
        Assert.Equal(
            "This snapshot does not carry ImapEnabled/PopEnabled of its mailboxes: it was taken by MapiHttpTools 1.0.0, which did not record them. Export a new snapshot to judge them offline.",
            rows[4].Message);

        // Nothing judged, nothing claimed: the MAPI/HTTP verdict stands alone.
        MapiHttpVerdictResult verdict = run.Objects<MapiHttpVerdictResult>().Single();
        Assert.DoesNotContain("Client protocols", verdict.Message, StringComparison.Ordinal);
        Assert.NotEqual(CheckStatus.Fail, verdict.Status);
    }

    [Fact]
    public void A_snapshot_from_a_newer_format_is_still_refused_with_IncludeProtocol()
    {
        string path = Path.Combine(_folder, "newer.xml");
        var header = new OrderedDictionary { ["Format"] = SnapshotDocument.FormatName, ["FormatVersion"] = 2, ["CreatedUtc"] = DateTime.UtcNow, ["Sections"] = new Hashtable() };
        File.WriteAllText(path, PSSerializer.Serialize(header));

        using var session = new ModuleSession();
        ScriptResult run = session.Invoke("Invoke-MapiHttpDiagnostic -SnapshotPath $p -IncludeProtocol Imap4, Pop3", new Dictionary<string, object?> { ["p"] = path });

        Assert.Equal(new[] { "SnapshotVersionUnsupported,MapiHttpTools.Commands.InvokeMapiHttpDiagnosticCommand" }, run.ErrorIds);
        Assert.Empty(run.Objects<ExchangeClientProtocolResult>());
        Assert.Equal(CheckStatus.Error, run.Objects<MapiHttpVerdictResult>().Single().Status);
    }

    [Fact]
    public void Anonymize_replaces_the_mailboxes_in_the_new_entries_and_the_offline_run_uses_the_new_names()
    {
        string path = Path.Combine(_folder, "anonymous.xml");
        using (ModuleSession session = LiveSession(ExchangeLab.Contoso("EX01"), isWindows: true, stopped: null))
        {
            ScriptResult export = session.Invoke("Export-MapiHttpSnapshot -Path $p -Mailbox alice, bob -Anonymize", new Dictionary<string, object?> { ["p"] = path });
            Assert.Empty(export.Errors);
        }

        string text = File.ReadAllText(path);
        foreach (string name in new[] { "alice", "Alice", "bob", "Bob" })
        {
            Assert.DoesNotContain(name, text, StringComparison.Ordinal);
        }

        SnapshotDocument snapshot = SnapshotDocument.Load(path, CancellationToken.None);
        PSObject bob = snapshot.Section(SnapshotSections.CasMailbox).Single(e => MapiHttpTools.Exchange.ExchangeValues.Text(e, "Identity") == "User0002");
        Assert.Equal((false, true), (MapiHttpTools.Exchange.ExchangeValues.Bool(bob, "ImapEnabled"), MapiHttpTools.Exchange.ExchangeValues.Bool(bob, "PopEnabled")));

        // Servers, connection names and certificate names stay, as in the rest of the snapshot: the checks compare them.
        PSObject imap = Assert.Single(snapshot.Section(SnapshotClientProtocols.ImapSettings));
        Assert.Equal(("EX01", "mail.contoso.lab"), (MapiHttpTools.Exchange.ExchangeValues.Text(imap, "Server"), MapiHttpTools.Exchange.ExchangeValues.Text(imap, "X509CertificateName")));

        using var offline = new ModuleSession();
        ScriptResult run = offline.Invoke("Invoke-MapiHttpDiagnostic -SnapshotPath $p -IncludeProtocol Imap4 -Mailbox User0002", new Dictionary<string, object?> { ["p"] = path });
        ExchangeClientProtocolResult mailbox = run.Objects<ExchangeClientProtocolResult>().Single(r => r.Check == "Mailbox");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.NotEnabled), (mailbox.Status, mailbox.Cause));
        Assert.Equal("Set-CASMailbox -Identity 'User0002' -ImapEnabled $true", mailbox.Recommendation);
    }

    [Fact]
    public void The_new_entries_hold_no_property_named_like_a_secret()
    {
        string path = Path.Combine(_folder, "secrets.xml");
        using (ModuleSession session = LiveSession(ExchangeLab.Contoso("EX01"), isWindows: true, stopped: null, withSecret: true))
        {
            Assert.Empty(session.Invoke("Export-MapiHttpSnapshot -Path $p", new Dictionary<string, object?> { ["p"] = path }).Errors);
        }

        string text = File.ReadAllText(path);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", text, StringComparison.Ordinal);
        Assert.Contains("mail.contoso.lab:993:SSL", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// The lab organisation with the IMAP4/POP3 side: EX01 and EX02 (when present) with IMAP4 on mail.contoso.lab;
    /// POP3 on EX02 has a certificate for the server name and PopProxy Inactive; <paramref name="stopped"/> stopped on EX01
    /// (Manual); alice has IMAP4 and POP3, bob POP3 only.
    /// </summary>
    private static ModuleSession LiveSession(ExchangeLab lab, bool isWindows, string? stopped, bool withSecret = false, bool remoting = false)
    {
        lab.Mailboxes.RemoveAll(m => MapiHttpTools.Exchange.ExchangeValues.Text(m, "SamAccountName") is "alice" or "bob");
        lab.Mailboxes.Add(CasMailbox("alice", imap: true, pop: true));
        lab.Mailboxes.Add(CasMailbox("bob", imap: false, pop: true));
        string[] servers = lab.Servers.Select(s => MapiHttpTools.Exchange.ExchangeValues.Text(s, "Name")!).ToArray();
        if (servers.Contains("EX02"))
        {
            lab.SetComponent("EX02", "PopProxy", "Inactive", "Maintenance");
        }

        var imap = new Hashtable(StringComparer.OrdinalIgnoreCase);
        var pop = new Hashtable(StringComparer.OrdinalIgnoreCase);
        var services = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (string server in servers)
        {
            imap[server] = Settings("IMAP4", server, "mail.contoso.lab", new[] { "mail.contoso.lab:993:SSL", "mail.contoso.lab:143:TLS" }, withSecret);
            pop[server] = Settings("POP3", server, server == "EX02" ? "ex02.contoso.lab" : "mail.contoso.lab", new[] { "mail.contoso.lab:995:SSL" }, withSecret);
            foreach (string name in new[] { "MSExchangeIMAP4", "MSExchangeIMAP4BE", "MSExchangePOP3", "MSExchangePOP3BE" })
            {
                services[$"{server}/{name}"] = server == "EX01" && name == stopped
                    ? Service(server, name, "Stopped", 1, "Manual", 3)
                    : Service(server, name, "Running", 4, "Automatic", 2);
            }
        }

        var session = new ModuleSession();
        lab.Install(session);
        session.Services().IsWindows = isWindows;
        session.Services().EndpointProbeStageFactory = _ => new NoProbe();
        session.Services().AutodiscoverStageFactory = () => new NoProbe();

        // Nothing listens there: the probe's connection is refused, as with the service stopped.
        session.Services().MailPorts = new Dictionary<string, int> { ["imaps"] = 1, ["imap"] = 1, ["pops"] = 1, ["pop"] = 1 };
        session.Runspace.SessionStateProxy.SetVariable("MailLab", new Hashtable { ["Imap"] = imap, ["Pop"] = pop, ["Services"] = services, ["Unreachable"] = new[] { "EX02" } });
        session.Invoke(StandIns);
        if (remoting)
        {
            session.Invoke(RemotingStandIns);
        }

        return session;
    }

    /// <summary>Get-ImapSettings/Get-PopSettings output as a remote session delivers it; LoginType as LoginOptions.</summary>
    private static PSObject Settings(string protocol, string server, string certificateName, string[] external, bool withSecret)
    {
        string[] types = protocol == "IMAP4"
            ? new[] { "Microsoft.Exchange.Data.Directory.SystemConfiguration.Imap4AdConfiguration", "Microsoft.Exchange.Data.Directory.SystemConfiguration.PopImapAdConfiguration", "System.Object" }
            : new[] { "Microsoft.Exchange.Data.Directory.SystemConfiguration.Pop3AdConfiguration", "Microsoft.Exchange.Data.Directory.SystemConfiguration.PopImapAdConfiguration", "System.Object" };
        const string connectionSettings = "Microsoft.Exchange.Data.ProtocolConnectionSettings";
        var props = new List<Action<Clixml>>
        {
            S("Server", server), S("Name", "1"), S("X509CertificateName", certificateName),
            Clixml.Enum("LoginType", "Microsoft.Exchange.Data.Directory.SystemConfiguration.LoginOptions", "SecureLogin", 2),
            TextList("ExternalConnectionSettings", connectionSettings, external),
            TextList("InternalConnectionSettings", connectionSettings, new[] { server.ToLowerInvariant() + ".contoso.lab:993:SSL" }),
        };
        if (withSecret)
        {
            props.Add(S("ProxyPassword", "hunter2"));
        }

        return Clixml.Object(types, protocol, props.ToArray());
    }

    private static PSObject Service(string server, string name, string status, int statusValue, string startType, int startValue) => Clixml.Object(
        new[] { "System.ServiceProcess.ServiceController", "System.ComponentModel.Component", "System.MarshalByRefObject", "System.Object" }, "System.ServiceProcess.ServiceController",
        S("Name", name), S("MachineName", server),
        Clixml.Enum("Status", "System.ServiceProcess.ServiceControllerStatus", status, statusValue),
        Clixml.Enum("StartType", "System.ServiceProcess.ServiceStartMode", startType, startValue));

    private static PSObject CasMailbox(string alias, bool imap, bool pop)
    {
        string display = char.ToUpperInvariant(alias[0]) + alias.Substring(1) + " Example";
        return Clixml.Object(
            new[] { "Microsoft.Exchange.Data.Directory.Management.CASMailbox", "Microsoft.Exchange.Data.Directory.Management.ADPresentationObject", "System.Object" },
            display,
            S("Name", display), S("DisplayName", display), S("SamAccountName", alias),
            Text("PrimarySmtpAddress", "Microsoft.Exchange.Data.SmtpAddress", $"{alias}@contoso.lab"),
            B("MAPIEnabled", true), Nil("MapiHttpEnabled"), B("MAPIBlockOutlookRpcHttp", false), B("MAPIBlockOutlookExternalConnectivity", false),
            B("ImapEnabled", imap), B("PopEnabled", pop),
            Text("Identity", "Microsoft.Exchange.Data.Directory.ADObjectId", $"contoso.lab/Users/{display}"));
    }

    /// <summary>The stand-ins' calls as typed ("Get-Service -Name A,B -ComputerName EX01"), in order.</summary>
    private static string[] MailCalls(ModuleSession session) =>
        ExchangeLab.Calls(session)
            .Where(c => c.Command is "Get-ImapSettings" or "Get-PopSettings" or "Get-Service" or "Invoke-Command" or "Get-ServerComponentState" or "Get-CASMailbox")
            .Select(c => c.Command + string.Concat(new[] { "Identity", "Server", "Name", "ComputerName", "Component" }
                .Where(c.Parameters.ContainsKey)
                .Select(k => $" -{k} {(c.Parameters[k] is IEnumerable list and not string ? string.Join(",", list.Cast<object>()) : c.Parameters[k])}")))
            .ToArray();

    /// <summary>The verdict's client protocol sentences: from "Client protocols:" on.</summary>
    private static string ClientPart(string message)
    {
        int at = message.IndexOf("Client protocols:", StringComparison.Ordinal);
        Assert.True(at >= 0, message);
        return message.Substring(at);
    }

    /// <summary>A result as text, without its duration (the one thing that differs between two runs).</summary>
    private static string Canon(ExchangeClientProtocolResult r) =>
        string.Join("|", r.Check, r.Status, r.Cause, r.Protocol, r.Target, r.Server, r.Address, r.Message, r.Recommendation,
            string.Join(";", r.Evidence.Cast<DictionaryEntry>().Select(e => e.Key + "=" + SnapshotTests.Canon(e.Value))));

    /// <summary>The MAPI/HTTP endpoint and Autodiscover probes are other tests' business.</summary>
    private sealed class NoProbe : MapiHttpTools.Diagnostics.IEndpointProbeStage, MapiHttpTools.Diagnostics.IAutodiscoverDiagnosticStage
    {
        public System.Threading.Tasks.Task RunAsync(IReadOnlyList<MapiHttpMailboxStateResult> mailboxes, IReadOnlyList<MapiHttpTools.Exchange.MapiVirtualDirectoryFacts> directories, Action<MapiHttpResult> emit, CancellationToken cancellation) =>
            System.Threading.Tasks.Task.CompletedTask;

        public System.Threading.Tasks.Task RunAsync(IReadOnlyList<MapiHttpTools.Diagnostics.EndpointProbeRequest> requests, Action<MapiHttpResult, bool> emit, Action<int, int>? progress, CancellationToken cancellation) =>
            System.Threading.Tasks.Task.CompletedTask;
    }
}
