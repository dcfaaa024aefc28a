using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.DnsQuery;
using MapiHttpTools.Lab;
using MapiHttpTools.Probing;
using MapiHttpTools.Tests.DnsQuery;
using MapiHttpTools.Tests.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Autodiscover;

/// <summary>
/// The _autodiscover._tcp SRV candidate of Test-MapiHttpAutodiscover (issue 14) as an admin runs it: the record asked of
/// a real dnsmasq on 127.0.0.1, its target asked like any other candidate (here the lab front end), and the answers
/// that are not records (NXDOMAIN, silence, a hostile answer, no DNS server at all) each reported plainly.
/// </summary>
[Collection("Lab")]
public sealed class AutodiscoverSrvTests
{
    private readonly LabFixture _lab;

    public AutodiscoverSrvTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task Srv_record_leads_to_the_lab_autodiscover_and_its_mapiHttp_block()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.None }, _lab.Certificates);
        using Dnsmasq dns = Dnsmasq.Start(
            $"_autodiscover._tcp.contoso.lab,backup.contoso.lab,443,10,0",
            $"_autodiscover._tcp.contoso.lab,mail.contoso.lab,{server.Port},0,0");
        using var session = new ModuleSession();

        // Only the SRV target resolves: contoso.lab and autodiscover.contoso.lab fail at DNS, as they do for a hosted domain.
        session.Services().HostResolver = new Names(("mail.contoso.lab", server.Address.ToString()));
        ScriptResult run = session.Invoke("Test-MapiHttpAutodiscover -EmailAddress labuser@contoso.lab -DnsServer $d -Credential $cred -TimeoutSec 5",
            new() { ["d"] = $"127.0.0.1:{dns.EndPoint.Port}", ["cred"] = Credential(server) });

        Assert.Empty(run.Errors);
        MapiHttpAutodiscoverResult[] results = run.Objects<MapiHttpAutodiscoverResult>().ToArray();
        string target = $"https://mail.contoso.lab:{server.Port}/autodiscover/autodiscover.xml";
        Assert.Equal(
            new[]
            {
                "https://contoso.lab/autodiscover/autodiscover.xml Dns Fail",
                "https://autodiscover.contoso.lab/autodiscover/autodiscover.xml Dns Fail",
                "http://autodiscover.contoso.lab/autodiscover/autodiscover.xml Dns Fail",
                "https://_autodiscover._tcp.contoso.lab/autodiscover/autodiscover.xml SrvRecord Pass",
                $"{target} Dns Pass",
                $"{target} TcpConnect Pass",
                $"{target} Tls Pass",
                $"{target} AnonymousRequest Pass",
                $"{target} PoxRequest Pass",
                $"{target} MapiHttp Pass",
            },
            results.Take(10).Select(r => $"{r.Uri} {r.Check} {r.Status}").ToArray());

        // The /mapi URL the block names is probed next (its authenticated ping goes through the system HTTP stack, which
        // resolves mail.contoso.lab by real DNS; AutodiscoverLabTests covers that step with -TargetAddress).
        MapiHttpAutodiscoverResult endpoint = results.Last();
        Assert.Equal("MapiEndpoint", endpoint.Check);
        Assert.Equal($"https://mail.contoso.lab:{server.Port}/mapi", endpoint.Evidence["MapiUrl"]);

        MapiHttpAutodiscoverResult srv = results.Single(r => r.Check == "SrvRecord");
        Assert.Equal(new[] { $"0 0 {server.Port} mail.contoso.lab", "10 0 443 backup.contoso.lab" }, (string[])srv.Evidence["SrvRecords"]!);
        Assert.Equal(0, srv.Evidence["Priority"]);
        Assert.Equal(0, srv.Evidence["Weight"]);
        Assert.Equal(server.Port, srv.Evidence["Port"]);
        Assert.Equal("mail.contoso.lab", srv.Evidence["Target"]);
        Assert.Equal($"127.0.0.1:{dns.EndPoint.Port}", srv.Evidence["DnsServer"]);
        Assert.Equal("-DnsServer", srv.Evidence["DnsServerSource"]);
        Assert.Equal("NOERROR", srv.Evidence["DnsResponseCode"]);
        Assert.Contains($"asked in Outlook's order (priority, then weight): mail.contoso.lab:{server.Port} (priority 0, weight 0), backup.contoso.lab (priority 10, weight 0).", srv.Message);
        Assert.Contains("asks the user before it trusts this redirect", srv.Message);

        // The target was asked as Outlook asks it: its name in SNI and Host, the POX request with X-MapiHttpCapability.
        LabRequest[] posts = server.Requests.Where(r => r.Path == "/autodiscover/autodiscover.xml").ToArray();
        Assert.Equal(2, posts.Length);
        Assert.All(posts, p =>
        {
            Assert.Equal("mail.contoso.lab", p.SniHostName);
            Assert.Equal($"mail.contoso.lab:{server.Port}", p.Host);
            Assert.Equal("1", p.Headers["X-MapiHttpCapability"]);
        });
    }

    [Fact]
    public async Task When_the_first_target_fails_the_next_record_is_asked()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.None }, _lab.Certificates);
        using Dnsmasq dns = Dnsmasq.Start(
            $"_autodiscover._tcp.contoso.lab,gone.contoso.lab,443,0,0",
            $"_autodiscover._tcp.contoso.lab,mail.contoso.lab,{server.Port},5,0");
        using var session = new ModuleSession();
        session.Services().HostResolver = new Names(("mail.contoso.lab", server.Address.ToString()));
        session.Services().DnsServers = new[] { dns.EndPoint };

        ScriptResult run = session.Invoke("Test-MapiHttpAutodiscover -EmailAddress labuser@contoso.lab -Credential $cred -TimeoutSec 5", new() { ["cred"] = Credential(server) });

        string[] rows = run.Objects<MapiHttpAutodiscoverResult>().SkipWhile(r => r.Check != "SrvRecord").Select(r => $"{r.Uri} {r.Check} {r.Status}").ToArray();
        Assert.Equal("https://_autodiscover._tcp.contoso.lab/autodiscover/autodiscover.xml SrvRecord Pass", rows[0]);
        Assert.Equal("https://gone.contoso.lab/autodiscover/autodiscover.xml Dns Fail", rows[1]);
        Assert.Equal($"https://mail.contoso.lab:{server.Port}/autodiscover/autodiscover.xml Dns Pass", rows[2]);
        Assert.Contains($"https://mail.contoso.lab:{server.Port}/autodiscover/autodiscover.xml MapiHttp Pass", rows);
    }

    [Fact]
    public void Nxdomain_is_no_srv_record_a_warning_not_a_failure()
    {
        using Dnsmasq dns = Dnsmasq.Start("_autodiscover._tcp.contoso.lab,autodiscover.contoso.lab,443,0,0");
        using var session = new ModuleSession();
        session.Services().HostResolver = new Names();
        session.Services().DnsServers = new[] { dns.EndPoint };

        ScriptResult run = session.Invoke("Test-MapiHttpAutodiscover -EmailAddress labuser@fabrikam.contoso.lab -TimeoutSec 5");

        MapiHttpAutodiscoverResult srv = run.Objects<MapiHttpAutodiscoverResult>().Last();
        Assert.Equal("SrvRecord", srv.Check);
        Assert.Equal(CheckStatus.Warning, srv.Status);
        Assert.Equal(MapiHttpCause.None, srv.Cause);
        Assert.Equal($"No SRV record: _autodiscover._tcp.fabrikam.contoso.lab does not exist (NXDOMAIN from 127.0.0.1:{dns.EndPoint.Port} over UDP). Outlook's SRV method finds nothing here; that matters only when no other candidate answers.", srv.Message);
        Assert.Equal("NXDOMAIN", srv.Evidence["DnsResponseCode"]);
        Assert.Equal("the session's DNS servers", srv.Evidence["DnsServerSource"]);
    }

    [Fact]
    public void Silent_dns_server_is_a_network_failure_after_the_timeout()
    {
        using var silent = new FakeDnsServer(_ => null);
        using var session = new ModuleSession();
        session.Services().HostResolver = new Names();

        ScriptResult run = session.Invoke($"Test-MapiHttpAutodiscover -EmailAddress labuser@contoso.lab -DnsServer 127.0.0.1:{silent.EndPoint.Port} -TimeoutSec 1");

        MapiHttpAutodiscoverResult srv = run.Objects<MapiHttpAutodiscoverResult>().Single(r => r.Check == "SrvRecord");
        Assert.Equal(CheckStatus.Fail, srv.Status);
        Assert.Equal(MapiHttpCause.Network, srv.Cause);
        Assert.Equal($"No DNS server answered the SRV query for _autodiscover._tcp.contoso.lab within 1 s (127.0.0.1:{silent.EndPoint.Port} UDP: no answer within 1 s).", srv.Message);
        Assert.Equal(new[] { $"127.0.0.1:{silent.EndPoint.Port} UDP: no answer within 1 s" }, (string[])srv.Evidence["DnsAttempts"]!);
    }

    [Fact]
    public async Task Stopping_the_cmdlet_ends_a_lookup_that_a_silent_server_holds()
    {
        using var silent = new FakeDnsServer(_ => null);
        using var session = new ModuleSession();
        session.Services().HostResolver = new Names();

        // -TimeoutSec 600: only Stop (Ctrl+C) can end this run while the DNS server stays silent.
        using PowerShell shell = session.Prepare($"Test-MapiHttpAutodiscover -EmailAddress labuser@contoso.lab -DnsServer 127.0.0.1:{silent.EndPoint.Port} -TimeoutSec 600");
        IAsyncResult running = shell.BeginInvoke();
        for (int i = 0; i < 3000 && silent.Queries.Count == 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Single(silent.Queries);
        shell.Stop();
        Assert.True(running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30)), "the run did not end after Stop");
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
    }

    [Fact]
    public void Hostile_dns_answer_is_reported_malformed_and_nothing_is_asked_from_it()
    {
        // A pointer loop in the SRV target: a server that would hang a naive reader.
        using var hostile = new FakeDnsServer(query => DnsClientTests.Reply(query, 0x80, 1,
            DnsMessageTests.Hex("c0 0c 00 21 00 01 00 00 00 3c 00 08 00 00 00 00 01 bb c0 42")));
        using var session = new ModuleSession();
        session.Services().HostResolver = new Names();

        ScriptResult run = session.Invoke($"Test-MapiHttpAutodiscover -EmailAddress labuser@contoso.lab -DnsServer 127.0.0.1:{hostile.EndPoint.Port} -TimeoutSec 5");

        MapiHttpAutodiscoverResult srv = run.Objects<MapiHttpAutodiscoverResult>().Last();
        Assert.Equal("SrvRecord", srv.Check);
        Assert.Equal(CheckStatus.Fail, srv.Status);
        Assert.Equal(MapiHttpCause.Network, srv.Cause);
        Assert.Equal($"The answer to the SRV query for _autodiscover._tcp.contoso.lab is malformed and was not used (127.0.0.1:{hostile.EndPoint.Port} UDP: malformed answer, not used (the compression pointer at offset 66 points to offset 66, not back before its name: a pointer loop)).", srv.Message);
    }

    [Fact]
    public void No_dns_server_skips_the_srv_candidate_with_why()
    {
        using var session = new ModuleSession();
        session.Services().HostResolver = new Names();
        session.Services().DnsServers = Array.Empty<IPEndPoint>();

        ScriptResult run = session.Invoke("Test-MapiHttpAutodiscover -EmailAddress labuser@contoso.lab -TimeoutSec 5");

        MapiHttpAutodiscoverResult srv = run.Objects<MapiHttpAutodiscoverResult>().Last();
        Assert.Equal("SrvRecord", srv.Check);
        Assert.Equal(CheckStatus.Skipped, srv.Status);
        Assert.Equal("The SRV record _autodiscover._tcp.contoso.lab was not looked up: the session has no DNS server.", srv.Message);
        Assert.Equal("Pass -DnsServer <address> to ask a DNS server for _autodiscover._tcp.contoso.lab.", srv.Recommendation);
    }

    [Fact]
    public void Domain_too_long_for_the_srv_name_is_skipped_with_why()
    {
        // A valid 236-character domain: "_autodiscover._tcp." before it makes 255 characters, 257 bytes in wire form,
        // more than the 255 a DNS name may have. Nothing is sent for it (the DNS server given is never asked).
        string domain = string.Join(".", new string('d', 60), new string('d', 60), new string('d', 60), new string('d', 49)) + ".lab";
        using var session = new ModuleSession();
        session.Services().HostResolver = new Names();
        using var silent = new FakeDnsServer(_ => null);
        session.Services().DnsServers = new[] { silent.EndPoint };

        ScriptResult run = session.Invoke("Test-MapiHttpAutodiscover -EmailAddress $e -TimeoutSec 5", new() { ["e"] = "labuser@" + domain });

        Assert.Empty(run.Errors);
        MapiHttpAutodiscoverResult srv = run.Objects<MapiHttpAutodiscoverResult>().Last();
        Assert.Equal("SrvRecord", srv.Check);
        Assert.Equal(CheckStatus.Skipped, srv.Status);
        Assert.Equal($"The SRV record _autodiscover._tcp.{domain} was not looked up: '_autodiscover._tcp.{domain}' is not a DNS name (longer than 255 bytes).", srv.Message);
        Assert.Empty(silent.Queries);
    }

    [Fact]
    public void Domain_whose_candidates_cannot_be_urls_leaves_them_out_instead_of_failing_the_run()
    {
        // A valid 247-character domain: "_autodiscover._tcp." before it is not even a URL host (the run used to end in "Invalid URI").
        string domain = string.Join(".", Enumerable.Repeat(new string('d', 60), 4)) + ".lab";
        using var session = new ModuleSession();
        session.Services().HostResolver = new Names();
        session.Services().DnsServers = Array.Empty<IPEndPoint>();

        ScriptResult run = session.Invoke("Test-MapiHttpAutodiscover -EmailAddress $e -TimeoutSec 5", new() { ["e"] = "labuser@" + domain });

        Assert.Empty(run.Errors);
        Assert.Equal(
            new[] { $"https://{domain}/autodiscover/autodiscover.xml Dns", $"https://autodiscover.{domain}/autodiscover/autodiscover.xml Dns", $"http://autodiscover.{domain}/autodiscover/autodiscover.xml Dns" },
            run.Objects<MapiHttpAutodiscoverResult>().Select(r => $"{r.Uri} {r.Check}").ToArray());
    }

    [Fact]
    public void Name_that_cannot_be_asked_is_refused_before_anything_is_sent()
    {
        Assert.False(DnsMessage.IsQueryable("_autodiscover._tcp." + string.Join(".", Enumerable.Repeat(new string('d', 60), 4)), out string problem));
        Assert.EndsWith("is not a DNS name (longer than 255 bytes)", problem, StringComparison.Ordinal);
        Assert.True(DnsMessage.IsQueryable("_autodiscover._tcp.contoso.lab", out _));
    }

    [Theory]
    [InlineData("dns.contoso.lab")]
    [InlineData("127.0.0.1:99999")]
    public void Dns_server_that_is_not_an_address_is_refused_with_its_id(string value)
    {
        using var session = new ModuleSession();
        ScriptResult run = session.InvokeCatching("Test-MapiHttpAutodiscover -EmailAddress labuser@contoso.lab -DnsServer $d", new() { ["d"] = value });

        ErrorRecord error = Assert.Single(run.Errors);
        Assert.Equal("InvalidDnsServer,MapiHttpTools.Commands.TestMapiHttpAutodiscoverCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(value, error.TargetObject);
        Assert.Empty(run.Output);
    }

    [Fact]
    public void Resolv_conf_is_read_through_the_input_file_rules()
    {
        string folder = Path.Combine(Path.GetTempPath(), "mht-resolv-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        Directory.CreateDirectory(folder);
        try
        {
            string file = Path.Combine(folder, "resolv.conf");
            File.WriteAllText(file, "search contoso.lab\nnameserver 127.0.0.53\n");
            DnsServerChoice read = DnsServers.FromResolvConf(file);
            Assert.Equal(new[] { "127.0.0.53:53" }, read.Servers.Select(DnsClient.Format).ToArray());
            Assert.Null(read.Unavailable);

            DnsServerChoice folderChoice = DnsServers.FromResolvConf(folder);
            Assert.Empty(folderChoice.Servers);
            Assert.Equal($"{folder} could not be read: '{folder}' is a folder, not a resolv.conf: pass the file itself.", folderChoice.Unavailable);

            DnsServerChoice missing = DnsServers.FromResolvConf(Path.Combine(folder, "absent.conf"));
            Assert.Equal($"{Path.Combine(folder, "absent.conf")} could not be read: it does not exist", missing.Unavailable);

            File.WriteAllText(file, "options ndots:2\n");
            Assert.Equal($"{file} has no usable nameserver line", DnsServers.FromResolvConf(file).Unavailable);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    private static PSCredential Credential(LabServer server)
    {
        var secure = new System.Security.SecureString();
        foreach (char c in server.Options.BasicPassword)
        {
            secure.AppendChar(c);
        }

        return new PSCredential(server.Options.BasicUser, secure);
    }

    /// <summary>Stands in for A/AAAA lookups: the names given resolve, every other name is "host not found".</summary>
    private sealed class Names : IHostResolver
    {
        private readonly Dictionary<string, IPAddress[]> _names;

        public Names(params (string Name, string Address)[] names) =>
            _names = names.ToDictionary(n => n.Name, n => new[] { IPAddress.Parse(n.Address) }, StringComparer.OrdinalIgnoreCase);

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation) =>
            _names.TryGetValue(host, out IPAddress[]? addresses)
                ? Task.FromResult(addresses)
                : Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));
    }
}
