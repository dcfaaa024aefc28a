using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Commands;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Snapshot;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>Export-MapiHttpSnapshot and the snapshot format: contents, safety, anonymization, and every way a file can be wrong.</summary>
public sealed class SnapshotTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.Snapshot." + Guid.NewGuid().ToString("N"));

    public SnapshotTests()
    {
        Directory.CreateDirectory(_folder);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static ModuleSession Session(ExchangeLab lab)
    {
        var session = new ModuleSession();
        lab.Install(session);
        return session;
    }

    private static Dictionary<string, object?> Vars(params (string, object?)[] pairs) => pairs.ToDictionary(p => p.Item1, p => p.Item2);

    [Fact]
    public void Export_writes_one_versioned_file_with_every_fact_the_checks_read()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        using ModuleSession session = Session(lab);
        string path = PathOf("contoso.xml");

        ScriptResult result = session.Invoke("Export-MapiHttpSnapshot -Path $p -Mailbox bob", Vars(("p", path)));

        Assert.Empty(result.Errors);
        Assert.Equal(path, Assert.Single(result.Objects<FileInfo>()).FullName);
        SnapshotDocument snapshot = SnapshotDocument.Load(path, CancellationToken.None);
        Assert.Equal((1, "15.2.986.5", false), (snapshot.FormatVersion, snapshot.ExchangeBuild, snapshot.Anonymized));
        Assert.InRange(snapshot.CreatedUtc, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(new[] { "EX01", "EX02" }, snapshot.Servers);
        Assert.Equal(
            new[] { "OrganizationConfig", "ExchangeServer", "MapiVirtualDirectory", "ExchangeCertificate", "ServerComponentState", "OutlookAnywhere", "ImapSettings", "PopSettings", "Service", "AuthConfig", "HostResolution", "CASMailbox" },
            snapshot.Sections.Keys);
        Assert.Equal(4, snapshot.Section("ExchangeCertificate").Count);

        // MapiProxy and ServerWideOffline, then ImapProxy and PopProxy (issue 16), per server.
        Assert.Equal(8, snapshot.Section("ServerComponentState").Count);
        Assert.Equal("mail.contoso.lab", ExchangeValues.Text(Assert.Single(snapshot.Section("HostResolution")), "Host"));
        Assert.Equal("bob@contoso.lab", ExchangeValues.Text(Assert.Single(snapshot.Section("CASMailbox")), "PrimarySmtpAddress"));

        // The lab has no Get-ImapSettings/Get-PopSettings/Get-Service: recorded as not gathered, per server (issue 16).
        Assert.Equal(
            new[] { "ImapSettings/EX01", "PopSettings/EX01", "Service/EX01", "ImapSettings/EX02", "PopSettings/EX02", "Service/EX02" },
            snapshot.Failures.Select(f => f.Section + "/" + f.Key));
        Assert.All(snapshot.Failures, f => Assert.Equal("Unavailable", f.Kind));

        // The same economy as live: -ADPropertiesOnly, -Component, one Get-CASMailbox per requested mailbox.
        var calls = ExchangeLab.Calls(session);
        Assert.All(calls.Where(c => c.Command is "Get-MapiVirtualDirectory" or "Get-OutlookAnywhere"), c => Assert.True(c.Parameters.ContainsKey("ADPropertiesOnly")));
        Assert.Equal(8, calls.Count(c => c.Command == "Get-ServerComponentState" && c.Parameters.ContainsKey("Component")));
        Assert.Equal("bob", Assert.Single(calls, c => c.Command == "Get-CASMailbox").Parameters["Identity"]);
    }

    [Fact]
    public async Task Facts_read_back_from_a_snapshot_equal_the_live_ones()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        using ModuleSession session = Session(lab);
        string path = PathOf("facts.xml");
        session.Invoke("Export-MapiHttpSnapshot -Path $p -Mailbox bob, dave", Vars(("p", path)));

        IExchangeSource live = lab.Source();
        var offline = new SnapshotExchangeSource(SnapshotDocument.Load(path, CancellationToken.None));

        Assert.Equal(Canon((await live.GetOrganizationConfigAsync(default))), Canon((await offline.GetOrganizationConfigAsync(default))));
        Assert.Equal(Canon((await live.GetExchangeServersAsync(null, default)).Servers), Canon((await offline.GetExchangeServersAsync(null, default)).Servers));
        Assert.Equal(Canon((await live.GetAuthConfigAsync(default))), Canon((await offline.GetAuthConfigAsync(default))));
        foreach (string server in new[] { "EX01", "EX02" })
        {
            Assert.Equal(Canon((await live.GetMapiVirtualDirectoriesAsync(server, default))), Canon((await offline.GetMapiVirtualDirectoriesAsync(server, default))));
            Assert.Equal(Canon((await live.GetExchangeCertificatesAsync(server, default))), Canon((await offline.GetExchangeCertificatesAsync(server, default))));
            Assert.Equal(Canon((await live.GetServerComponentStatesAsync(server, MapiComponents.All, default))), Canon((await offline.GetServerComponentStatesAsync(server, MapiComponents.All, default))));
            Assert.Equal(Canon((await live.GetOutlookAnywhereAsync(server, default))), Canon((await offline.GetOutlookAnywhereAsync(server, default))));
        }

        var mailboxes = new List<CasMailboxFacts>();
        await offline.StreamCasMailboxesAsync(new CasMailboxQuery(null, null, null, null), mailboxes.Add, _ => { }, default);
        var expected = new List<CasMailboxFacts>();
        await live.StreamCasMailboxesAsync(new CasMailboxQuery(null, null, null, null), m => { if (m.SamAccountName is "bob" or "dave") { expected.Add(m); } }, _ => { }, default);
        Assert.Equal(Canon(expected), Canon(mailboxes));
    }

    /// <summary>Facts as text, lists and byte arrays included, for equality.</summary>
    internal static string Canon(object? value) => value switch
    {
        null => "null",
        string s => s,
        byte[] bytes => Convert.ToBase64String(bytes),
        IEnumerable sequence => "[" + string.Join("|", sequence.Cast<object?>().Select(Canon)) + "]",
        _ when value.GetType().Namespace == "MapiHttpTools.Exchange" =>
            value.GetType().Name + "{" + string.Join(";", value.GetType().GetProperties().Select(p => p.Name + "=" + Canon(p.GetValue(value)))) + "}",
        DateTime dt => dt.ToUniversalTime().ToString("O"),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!,
    };

    [Fact]
    public void An_existing_file_is_not_overwritten_without_Force_and_Exchange_is_not_asked()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso());
        string path = PathOf("exists.xml");
        File.WriteAllText(path, "keep me");

        ScriptResult refused = session.InvokeCatching("Export-MapiHttpSnapshot -Path $p", Vars(("p", path)));

        ErrorRecord error = Assert.Single(refused.Errors);
        Assert.Equal("SnapshotExists,MapiHttpTools.Commands.ExportMapiHttpSnapshotCommand", error.FullyQualifiedErrorId);
        Assert.Equal((ErrorCategory.ResourceExists, (object)path), (error.CategoryInfo.Category, error.TargetObject));
        Assert.Contains("-Force", error.Exception.Message);
        Assert.Equal("keep me", File.ReadAllText(path));
        Assert.Empty(ExchangeLab.Calls(session));

        session.Invoke("Export-MapiHttpSnapshot -Path $p -Force", Vars(("p", path)));
        Assert.Equal(SnapshotDocument.FormatName, SnapshotDocument.Load(path, CancellationToken.None).Sections.Count > 0 ? SnapshotDocument.FormatName : null);
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public void WhatIf_writes_nothing_and_calls_no_Exchange_cmdlet()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso());
        string path = PathOf("whatif.xml");

        ScriptResult result = session.Invoke("Export-MapiHttpSnapshot -Path $p -IncludeProblemMailboxes -WhatIf", Vars(("p", path)));

        Assert.Empty(result.Output);
        Assert.False(File.Exists(path));
        Assert.Empty(ExchangeLab.Calls(session));
        Assert.Contains("What if: Performing the operation \"Write a MAPI/HTTP snapshot", session.Host.Output);
    }

    [Fact]
    public void Anonymize_replaces_user_names_and_addresses_consistently_and_keeps_what_the_checks_need()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso());
        string path = PathOf("anonymous.xml");

        session.Invoke("Export-MapiHttpSnapshot -Path $p -Mailbox bob, carol -IncludeProblemMailboxes -Anonymize", Vars(("p", path)));

        // Certificate bytes are base64 and may spell "bob" by chance: look at everything but them.
        string text = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(path), "<BA N=\"RawData\">[^<]*</BA>", "<BA/>");
        Assert.Contains("<BA/>", text);
        foreach (string name in new[] { "alice", "bob", "carol", "dave", "erin", "Bob Example", "Carol Example", "contoso.lab/Users" })
        {
            Assert.DoesNotContain(name, text, StringComparison.OrdinalIgnoreCase);
        }

        SnapshotDocument snapshot = SnapshotDocument.Load(path, CancellationToken.None);
        Assert.True(snapshot.Anonymized);
        CasMailboxFacts[] mailboxes = snapshot.Section("CASMailbox").Select(ExchangeFactReader.ReadCasMailbox).ToArray();
        // bob and carol came first (-Mailbox) and again in the problem scan (the stand-in applies the filter as Exchange
        // does: healthy alice is not returned): still one entry each, numbered once.
        Assert.Equal(new[] { "User0001", "User0002", "User0003", "User0004" }, mailboxes.Select(m => m.Identity));
        Assert.Equal(new[] { "user0001@contoso.lab", "user0002@contoso.lab", "user0003@contoso.lab", "user0004@contoso.lab" }, mailboxes.Select(m => m.PrimarySmtpAddress));
        Assert.All(mailboxes, m => Assert.Equal((m.Identity, m.Identity, m.Identity.ToLowerInvariant()), (m.Name!, m.DisplayName!, m.SamAccountName!)));
        Assert.Equal(false, mailboxes[0].MapiHttpEnabled);
        Assert.False(mailboxes[1].MAPIEnabled);
        Assert.Contains("mail.contoso.lab", text);

        ScriptResult bob = session.Invoke("Get-MapiHttpMailboxState -SnapshotPath $p -Identity user0001@contoso.lab", Vars(("p", path)));
        Assert.Equal(("User0001", MapiClientProtocol.RpcHttp), (Assert.Single(bob.Objects<MapiHttpMailboxStateResult>()).Identity, bob.Objects<MapiHttpMailboxStateResult>().Single().EffectiveProtocol));
        ScriptResult real = session.Invoke("Get-MapiHttpMailboxState -SnapshotPath $p -Identity bob", Vars(("p", path)));
        Assert.Contains("anonymized", Assert.Single(real.Errors).Exception.Message);
    }

    [Fact]
    public void No_secret_reaches_the_file_private_keys_and_password_like_properties_are_dropped()
    {
        ExchangeLab lab = ExchangeLab.Contoso("EX01");
        using X509Certificate2 withKey = LabPki.Server("CN=mail.contoso.lab", new[] { "mail.contoso.lab" }, ExchangeLab.Now.AddDays(-1), ExchangeLab.Now.AddDays(200));
        byte[] pfx = withKey.Export(X509ContentType.Pfx);
        PSObject certificate = ExchangeObjects.Certificate(withKey, "IIS");
        certificate.Properties["RawData"].Value = pfx;
        certificate.Properties.Add(new PSNoteProperty("PrivateKey", "PRIVATE-KEY-MATERIAL"));
        certificate.Properties.Add(new PSNoteProperty("Password", "Pa$$w0rd-in-a-property"));
        lab.Certificates["EX01"].Add(certificate);
        lab.VirtualDirectory("EX01").Properties.Add(new PSNoteProperty("ClientSecret", "s3cr3t-value"));
        using ModuleSession session = Session(lab);
        string path = PathOf("secrets.xml");

        session.Invoke("Export-MapiHttpSnapshot -Path $p", Vars(("p", path)));

        string text = File.ReadAllText(path);
        foreach (string forbidden in new[] { "PRIVATE-KEY-MATERIAL", "Pa$$w0rd-in-a-property", "s3cr3t-value", "PrivateKey", "Password", "ClientSecret", Convert.ToBase64String(pfx) })
        {
            Assert.DoesNotContain(forbidden, text);
        }

        Assert.Contains(Convert.ToBase64String(withKey.RawData), text);
        SnapshotDocument snapshot = SnapshotDocument.Load(path, CancellationToken.None);
        Assert.All(snapshot.Sections.Values.SelectMany(v => v).SelectMany(e => e.Properties.Select(p => p.Name)),
            name => Assert.DoesNotMatch("(?i)password|secret|credential|privatekey|token|key$", name));
        Assert.All(snapshot.Section("ExchangeCertificate"), e =>
        {
            using X509Certificate2 reloaded = X509CertificateLoader.LoadCertificate(ExchangeValues.Bytes(e, "RawData")!);
            Assert.False(reloaded.HasPrivateKey);
        });

        // The sanitizer itself, on a property bag the collector never produces.
        var bag = new PSObject();
        bag.Properties.Add(new PSNoteProperty("Name", "x"));
        bag.Properties.Add(new PSNoteProperty("ApiKey", "k"));
        bag.Properties.Add(new PSNoteProperty("Credential", "c"));
        bag.Properties.Add(new PSNoteProperty("RefreshToken", "t"));
        Assert.Equal(new[] { "Name" }, SnapshotWriter.Sanitize(bag).Properties.Select(p => p.Name));
    }

    [Fact]
    public async Task Failures_at_capture_time_are_kept_and_replayed_with_Exchanges_words()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.Failing.Add("Get-ExchangeCertificate:EX02");
        using ModuleSession session = Session(lab);
        session.Invoke("function global:Remove-StandIn([string]$Name) { $ExecutionContext.SessionState.InvokeProvider.Item.Remove(\"function:\\$Name\", $false) }");
        session.Invoke("Remove-StandIn Get-AuthServer");
        string path = PathOf("failures.xml");

        ScriptResult result = session.Invoke("Export-MapiHttpSnapshot -Path $p -Server EX01, EX02, EX99", Vars(("p", path)));

        Assert.Contains(result.Warnings, w => w.Contains("Get-AuthServer is not in this session"));
        ErrorRecord notFound = Assert.Single(result.Errors);
        Assert.Equal(("ServerNotFound,MapiHttpTools.Commands.ExportMapiHttpSnapshotCommand", (object)"EX99"), (notFound.FullyQualifiedErrorId, notFound.TargetObject));
        var offline = new SnapshotExchangeSource(SnapshotDocument.Load(path, CancellationToken.None));
        var failed = await Assert.ThrowsAsync<ExchangeCommandException>(() => offline.GetExchangeCertificatesAsync("EX02", default));
        Assert.Equal(("Get-ExchangeCertificate -Server 'EX02'", "Get-ExchangeCertificate -Server 'EX02' failed: The Exchange server 'EX02' could not be contacted (The WinRM client cannot process the request)."), (failed!.Command, failed.Message));
        Assert.Equal(2, (await offline.GetExchangeCertificatesAsync("EX01", default)).Count);
        var unavailable = await Assert.ThrowsAsync<ExchangeDataUnavailableException>(() => offline.GetAuthServersAsync(default));
        Assert.Contains("Get-AuthServer is not available in this session", unavailable!.Message);
    }

    [Fact]
    public void Without_the_Exchange_cmdlets_there_is_nothing_to_export()
    {
        using var session = new ModuleSession();
        string path = PathOf("none.xml");

        ScriptResult result = session.InvokeCatching("Export-MapiHttpSnapshot -Path $p", Vars(("p", path)));

        Assert.Equal("ExchangeCmdletsNotFound,MapiHttpTools.Commands.ExportMapiHttpSnapshotCommand", Assert.Single(result.ErrorIds));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_truncated_foreign_newer_or_missing_file_is_refused_with_its_own_error_naming_the_file()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso());
        string good = PathOf("good.xml");
        session.Invoke("Export-MapiHttpSnapshot -Path $p", Vars(("p", good)));
        string full = File.ReadAllText(good);

        string truncated = PathOf("truncated.xml");
        File.WriteAllText(truncated, full.Substring(0, full.Length / 2));
        string foreign = PathOf("foreign.xml");
        File.WriteAllText(foreign, PSSerializer.Serialize(new Hashtable { ["Name"] = "not a snapshot" }));
        string text = PathOf("notes.txt");
        File.WriteAllText(text, "Outlook keeps prompting for a password since Monday.");
        string newer = PathOf("newer.xml");
        var header = new OrderedDictionary { ["Format"] = SnapshotDocument.FormatName, ["FormatVersion"] = 2, ["CreatedUtc"] = DateTime.UtcNow, ["Sections"] = new Hashtable() };
        File.WriteAllText(newer, PSSerializer.Serialize(header));

        foreach ((string file, string id) in new[]
        {
            (truncated, "SnapshotInvalid"), (foreign, "SnapshotNotRecognized"), (text, "SnapshotNotRecognized"), (newer, "SnapshotVersionUnsupported"), (PathOf("absent.xml"), "SnapshotNotFound"),
        })
        {
            ScriptResult result = session.InvokeCatching("Get-MapiHttpMailboxState -SnapshotPath $p", Vars(("p", file)));
            ErrorRecord error = Assert.Single(result.Errors);
            Assert.Equal(id + ",MapiHttpTools.Commands.GetMapiHttpMailboxStateCommand", error.FullyQualifiedErrorId);
            Assert.Contains(file, error.Exception.Message);
            Assert.Equal(file, error.TargetObject);
            Assert.Empty(result.Output);
        }

        var version = Assert.Throws<SnapshotException>(() => SnapshotDocument.Load(newer, CancellationToken.None));
        Assert.Contains("format version 2", version.Message);
        Assert.Contains("this version reads format 1", version.Message);
    }

    [Fact]
    public void Mailbox_state_from_a_snapshot_selects_by_identity_problems_and_size_offline()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso());
        string path = PathOf("mailboxes.xml");
        session.Invoke("Export-MapiHttpSnapshot -Path $p -Mailbox alice, bob, carol, dave, erin", Vars(("p", path)));
        ExchangeLab.ClearCalls(session);

        ScriptResult problems = session.Invoke("Get-MapiHttpMailboxState -SnapshotPath $p -ProblemsOnly", Vars(("p", path)));
        ScriptResult two = session.Invoke("Get-MapiHttpMailboxState -SnapshotPath $p -ResultSize 2", Vars(("p", path)));
        ScriptResult carol = session.Invoke("'carol@contoso.lab' | Get-MapiHttpMailboxState -SnapshotPath $p", Vars(("p", path)));

        Assert.Equal(new[] { "bob", "carol", "dave", "erin" }, problems.Objects<MapiHttpMailboxStateResult>().Select(r => r.PrimarySmtpAddress!.Split('@')[0]));
        Assert.Equal(2, two.Objects<MapiHttpMailboxStateResult>().Count());
        Assert.Equal(MapiClientProtocol.None, Assert.Single(carol.Objects<MapiHttpMailboxStateResult>()).EffectiveProtocol);
        Assert.Empty(ExchangeLab.Calls(session));
    }
}
