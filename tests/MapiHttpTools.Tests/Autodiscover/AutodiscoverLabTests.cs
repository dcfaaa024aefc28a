using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Lab;
using MapiHttpTools.Probing;
using MapiHttpTools.Tests.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Autodiscover;

/// <summary>
/// Test-MapiHttpAutodiscover against the lab front end's /autodiscover/autodiscover.xml, one fault at a time, as an
/// admin runs it (issue 14). On Linux Negotiate/NTLM cannot be produced, so the lab user authenticates with Basic.
/// </summary>
[Collection("Lab")]
public sealed class AutodiscoverLabTests
{
    private readonly LabFixture _lab;

    public AutodiscoverLabTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task Healthy_autodiscover_offers_mapiHttp_and_the_request_is_outlooks()
    {
        await using LabServer server = await Start(LabFault.None);
        (MapiHttpAutodiscoverResult[] results, _) = Run(server, "labuser@contoso.lab", credential: true);

        Assert.Equal(new[] { "Dns", "TcpConnect", "Tls", "AnonymousRequest", "PoxRequest", "MapiHttp", "MapiEndpoint" }, results.Select(r => r.Check).ToArray());
        Assert.All(results.Where(r => r.Check != "Dns"), r => Assert.Equal(CheckStatus.Pass, r.Status));
        Assert.All(results, r => Assert.Equal(1, r.Hop));
        Assert.Equal(401, results.Single(r => r.Check == "AnonymousRequest").StatusCode);
        Assert.Equal(new[] { "Negotiate", "NTLM", "Basic" }, (string[])results.Single(r => r.Check == "AnonymousRequest").Evidence["OfferedAuthentication"]!);
        Assert.Equal("Basic", results.Single(r => r.Check == "PoxRequest").Evidence["AuthenticationScheme"]);

        MapiHttpAutodiscoverResult block = results.Single(r => r.Check == "MapiHttp");
        Assert.Equal($"https://mail.contoso.lab:{server.Port}/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.lab", block.MailStoreInternalUrl);
        Assert.Equal($"https://mail.contoso.lab:{server.Port}/mapi/nspi/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.lab", block.AddressBookExternalUrl);
        Assert.Equal(new[] { "EXCH", "EXPR", "WEB" }, block.OtherProtocols);
        Assert.Equal("EX01", block.Server);
        Assert.Equal($"https://mail.contoso.lab:{server.Port}/mapi", results.Single(r => r.Check == "MapiEndpoint").Evidence["MapiUrl"]);

        LabRequest[] posts = server.Requests.Where(r => r.Path == "/autodiscover/autodiscover.xml").ToArray();
        Assert.Equal(2, posts.Length);
        Assert.False(posts[0].Headers.ContainsKey("Authorization"));
        Assert.All(posts, p =>
        {
            Assert.Equal("POST", p.Method);
            Assert.Equal("1", p.Headers["X-MapiHttpCapability"]);
            Assert.Equal("text/xml; charset=utf-8", p.Headers["Content-Type"]);
            Assert.Equal("mail.contoso.lab", p.SniHostName);
            Assert.Equal($"mail.contoso.lab:{server.Port}", p.Host);
            Assert.Contains("<EMailAddress>labuser@contoso.lab</EMailAddress>", Encoding.UTF8.GetString(p.Body), StringComparison.Ordinal);
        });
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("CONTOSO\\labuser:P@ssw0rd!lab")), posts[1].Headers["Authorization"]);
    }

    [Fact]
    public async Task Without_credentials_the_pox_request_is_skipped_with_why()
    {
        await using LabServer server = await Start(LabFault.None);
        (MapiHttpAutodiscoverResult[] results, _) = Run(server, "labuser@contoso.lab", credential: false);

        MapiHttpAutodiscoverResult request = results.Single(r => r.Check == "PoxRequest");
        Assert.Equal(CheckStatus.Skipped, request.Status);
        Assert.StartsWith("The POX request was not sent: pass -Credential", request.Message);
        Assert.DoesNotContain(results, r => r.Check == "MapiHttp");
        Assert.Single(server.Requests, r => r.Path == "/autodiscover/autodiscover.xml");
    }

    [Fact]
    public async Task Organisation_off_answers_without_the_block_and_is_not_enabled()
    {
        await using LabServer server = await Start(LabFault.AutodiscoverMapiHttpOff);
        (MapiHttpAutodiscoverResult[] results, _) = Run(server, "labuser@contoso.lab", credential: true);

        MapiHttpAutodiscoverResult block = results.Single(r => r.Check == "MapiHttp");
        Assert.Equal(CheckStatus.Fail, block.Status);
        Assert.Equal(MapiHttpCause.NotEnabled, block.Cause);
        Assert.Contains("although the request carried X-MapiHttpCapability: 1 (the answer has EXCH, EXPR, WEB)", block.Message);
        Assert.Null(block.MailStoreInternalUrl);
        Assert.Equal(false, block.Evidence["MapiHttpOffered"]);
        Assert.DoesNotContain(results, r => r.Check == "MapiEndpoint");
    }

    [Fact]
    public async Task Wrong_urls_on_a_name_outside_the_certificate_are_a_virtual_directory_failure()
    {
        await using LabServer server = await Start(LabFault.AutodiscoverWrongUrls);
        (MapiHttpAutodiscoverResult[] results, _) = Run(server, "labuser@contoso.lab", credential: true);

        MapiHttpAutodiscoverResult block = results.Single(r => r.Check == "MapiHttp");
        Assert.Equal(CheckStatus.Fail, block.Status);
        Assert.Equal(MapiHttpCause.VirtualDirectory, block.Cause);
        Assert.Contains($"the certificate served at 'wrong.contoso.lab:{server.Port}' does not cover that name (names: mail.contoso.lab, autodiscover.contoso.lab, localhost", block.Message);
        Assert.Equal(CheckStatus.Skipped, results.Single(r => r.Check == "MapiEndpoint").Status);
    }

    [Fact]
    public async Task Wrong_urls_that_do_not_resolve_are_a_virtual_directory_failure()
    {
        await using LabServer server = await Start(LabFault.AutodiscoverWrongUrls);
        using var session = new ModuleSession();
        session.Services().HostResolver = new Names(("mail.contoso.lab", "127.0.0.1"));
        ScriptResult run = session.Invoke("Test-MapiHttpAutodiscover -EmailAddress labuser@contoso.lab -Uri $u -Credential $cred -TimeoutSec 5",
            new() { ["u"] = server.AutodiscoverUri, ["cred"] = Credential(server) });

        MapiHttpAutodiscoverResult block = run.Objects<MapiHttpAutodiscoverResult>().Single(r => r.Check == "MapiHttp");
        Assert.Equal(MapiHttpCause.VirtualDirectory, block.Cause);
        Assert.Contains("'wrong.contoso.lab' does not resolve", block.Message);
    }

    [Fact]
    public async Task Redirect_chain_is_followed_and_each_hop_reported()
    {
        await using LabServer server = await Start(LabFault.AutodiscoverRedirect);
        (MapiHttpAutodiscoverResult[] results, _) = Run(server, "labuser@contoso.lab", credential: true);

        Assert.Equal(
            new[]
            {
                "1 Dns", "1 TcpConnect", "1 Tls", "1 AnonymousRequest", "1 PoxRequest", "1 Redirect",
                "2 Dns", "2 TcpConnect", "2 Tls", "2 AnonymousRequest", "2 PoxRequest", "2 Redirect",
                "3 Dns", "3 TcpConnect", "3 Tls", "3 AnonymousRequest", "3 PoxRequest", "3 MapiHttp", "3 MapiEndpoint",
            },
            results.Select(r => $"{r.Hop} {r.Check}").ToArray());
        MapiHttpAutodiscoverResult[] redirects = results.Where(r => r.Check == "Redirect").ToArray();
        Assert.Equal("redirectAddr", redirects[0].Evidence["Action"]);
        Assert.Equal("labuser.redirected@contoso.lab", redirects[0].Evidence["RedirectTarget"]);
        Assert.Equal("redirectUrl", redirects[1].Evidence["Action"]);
        Assert.Equal($"https://mail.contoso.lab:{server.Port}/autodiscover/autodiscover.xml?hop=2", redirects[1].Evidence["RedirectTarget"]);
        Assert.Equal("labuser@contoso.lab", results.First().EmailAddress);
        Assert.Equal("labuser.redirected@contoso.lab", results.Last().EmailAddress);
        Assert.EndsWith("?hop=2", results.Last().Uri);
        Assert.Equal(CheckStatus.Pass, results.Single(r => r.Check == "MapiHttp").Status);
    }

    [Fact]
    public async Task Redirect_loop_is_stopped_at_the_first_repeat()
    {
        await using LabServer server = await Start(LabFault.AutodiscoverRedirectLoop);
        (MapiHttpAutodiscoverResult[] results, _) = Run(server, "labuser@contoso.lab", credential: true);

        MapiHttpAutodiscoverResult redirect = results.Single(r => r.Check == "Redirect");
        Assert.Equal(CheckStatus.Fail, redirect.Status);
        Assert.Equal(MapiHttpCause.VirtualDirectory, redirect.Cause);
        Assert.Contains("a redirect loop", redirect.Message);
        Assert.Equal(2, server.Requests.Count(r => r.Path == "/autodiscover/autodiscover.xml"));
    }

    [Fact]
    public async Task Error_600_is_reported_with_its_code()
    {
        await using LabServer server = await Start(LabFault.AutodiscoverError600);
        (MapiHttpAutodiscoverResult[] results, _) = Run(server, "labuser@contoso.lab", credential: true);

        MapiHttpAutodiscoverResult request = results.Single(r => r.Check == "PoxRequest");
        Assert.Equal(CheckStatus.Fail, request.Status);
        Assert.Equal(MapiHttpCause.Network, request.Cause);
        Assert.Equal(600, request.Evidence["ErrorCode"]);
        Assert.Equal("Invalid Request", request.Evidence["ErrorMessage"]);
        Assert.Contains("answered error 600 ('Invalid Request')", request.Message);
    }

    [Fact]
    public async Task Wrong_password_is_an_authentication_failure_and_never_shown()
    {
        await using LabServer server = await Start(LabFault.None);
        using var session = new ModuleSession();
        ScriptResult run = session.Invoke("Test-MapiHttpAutodiscover labuser@contoso.lab -Uri $u -TargetAddress 127.0.0.1 -Credential $cred -TimeoutSec 5",
            new() { ["u"] = server.AutodiscoverUri, ["cred"] = Credential(server.Options.BasicUser, "Wrong-Secret-42") });

        MapiHttpAutodiscoverResult request = run.Objects<MapiHttpAutodiscoverResult>().Single(r => r.Check == "PoxRequest");
        Assert.Equal(CheckStatus.Fail, request.Status);
        Assert.Equal(MapiHttpCause.Authentication, request.Cause);
        Assert.Equal(401, request.StatusCode);
        string everything = PSSerializer.Serialize(run.Output, 5) + string.Join("", run.Warnings) + session.Host.Output;
        Assert.DoesNotContain("Wrong-Secret-42", everything);
    }

    [Fact]
    public async Task Unvalidated_certificate_gets_no_credentials()
    {
        await using LabServer server = await Start(LabFault.CertificateUntrusted);
        using var session = new ModuleSession();
        ScriptResult run = session.Invoke("Test-MapiHttpAutodiscover labuser@contoso.lab -Uri $u -TargetAddress 127.0.0.1 -Credential $cred -TimeoutSec 5 -SkipCertificateCheck",
            new() { ["u"] = server.AutodiscoverUri, ["cred"] = Credential(server) });

        MapiHttpAutodiscoverResult request = run.Objects<MapiHttpAutodiscoverResult>().Single(r => r.Check == "PoxRequest");
        Assert.Equal(CheckStatus.Skipped, request.Status);
        Assert.Contains("was not validated (-SkipCertificateCheck)", request.Message);
        Assert.DoesNotContain(server.Requests, r => r.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task Piped_mailboxes_bind_by_primary_smtp_address()
    {
        await using LabServer server = await Start(LabFault.None);
        using var session = new ModuleSession();

        // Get-CASMailbox as a remote session delivers it: its ToString is the display name, PrimarySmtpAddress an SmtpAddress.
        ScriptResult run = session.Invoke(
            "[System.Management.Automation.PSSerializer]::Deserialize($x), [pscustomobject]@{ PrimarySmtpAddress = 'second@contoso.lab' } | Test-MapiHttpAutodiscover -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 5",
            new() { ["u"] = server.AutodiscoverUri, ["x"] = RemoteCasMailbox });

        Assert.Empty(run.Errors);
        Assert.Equal(new[] { "labuser@contoso.lab", "second@contoso.lab" }, run.Objects<MapiHttpAutodiscoverResult>().Select(r => r.EmailAddress).Distinct().ToArray());
    }

    [Fact]
    public void Default_candidates_are_tried_in_outlooks_order_and_the_srv_record_is_skipped_without_a_dns_server()
    {
        using var session = new ModuleSession();

        // Nothing listens on 127.0.0.254: each candidate fails at TCP, as an unreachable name does. No DNS server is
        // known to the session, so the SRV lookup (AutodiscoverSrvTests asks a real one) is Skipped with that reason.
        session.Services().HostResolver = new Names(("autodiscover.contoso.lab", "127.0.0.254"));
        session.Services().DnsServers = Array.Empty<IPEndPoint>();
        ScriptResult run = session.Invoke("Test-MapiHttpAutodiscover -EmailAddress labuser@contoso.lab -TimeoutSec 5");
        MapiHttpAutodiscoverResult[] results = run.Objects<MapiHttpAutodiscoverResult>().ToArray();

        Assert.Equal(
            new[]
            {
                "https://contoso.lab/autodiscover/autodiscover.xml Dns Fail",
                "https://autodiscover.contoso.lab/autodiscover/autodiscover.xml Dns Pass",
                "https://autodiscover.contoso.lab/autodiscover/autodiscover.xml TcpConnect Fail",
                "http://autodiscover.contoso.lab/autodiscover/autodiscover.xml Dns Pass",
                "http://autodiscover.contoso.lab/autodiscover/autodiscover.xml TcpConnect Fail",
                "https://_autodiscover._tcp.contoso.lab/autodiscover/autodiscover.xml SrvRecord Skipped",
            },
            results.Select(r => $"{r.Uri} {r.Check} {r.Status}").ToArray());
        Assert.Equal("The SRV record _autodiscover._tcp.contoso.lab was not looked up: the session has no DNS server.", results.Last().Message);
    }

    [Fact]
    public void An_address_without_a_domain_is_refused_with_its_id()
    {
        using var session = new ModuleSession();
        ScriptResult run = session.InvokeCatching("Test-MapiHttpAutodiscover -EmailAddress labuser");

        ErrorRecord error = Assert.Single(run.Errors);
        Assert.Equal("InvalidEmailAddress,MapiHttpTools.Commands.TestMapiHttpAutodiscoverCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal("labuser", error.TargetObject);
        Assert.Empty(run.Output);
    }

    private const string RemoteCasMailbox =
        "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><Obj><TN><T>Microsoft.Exchange.Data.Directory.Management.CASMailbox</T><T>System.Object</T></TN>" +
        "<ToString>Labuser Example</ToString><Props><S N=\"Name\">Labuser Example</S>" +
        "<Obj N=\"PrimarySmtpAddress\"><TN><T>Microsoft.Exchange.Data.SmtpAddress</T><T>System.Object</T></TN><ToString>labuser@contoso.lab</ToString></Obj>" +
        "</Props></Obj></Objs>";

    private Task<LabServer> Start(LabFault fault) => LabServer.StartAsync(new LabOptions { Fault = fault }, _lab.Certificates);

    private static (MapiHttpAutodiscoverResult[] Results, ScriptResult Run) Run(LabServer server, string email, bool credential)
    {
        using var session = new ModuleSession();
        ScriptResult run = session.Invoke(
            $"Test-MapiHttpAutodiscover -EmailAddress $e -Uri $u -TargetAddress {server.Address} -TimeoutSec 5" + (credential ? " -Credential $cred" : string.Empty),
            new() { ["e"] = email, ["u"] = server.AutodiscoverUri, ["cred"] = Credential(server) });
        Assert.Empty(run.Errors);
        return (run.Objects<MapiHttpAutodiscoverResult>().ToArray(), run);
    }

    private static PSCredential Credential(LabServer server) => Credential(server.Options.BasicUser, server.Options.BasicPassword);

    private static PSCredential Credential(string user, string password)
    {
        var secure = new System.Security.SecureString();
        foreach (char c in password)
        {
            secure.AppendChar(c);
        }

        return new PSCredential(user, secure);
    }

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
