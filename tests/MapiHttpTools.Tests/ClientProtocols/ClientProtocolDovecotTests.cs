using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using MapiHttpTools.ClientProtocols;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Lab;
using Xunit;

namespace MapiHttpTools.Tests.ClientProtocols;

/// <summary>
/// Test-ExchangeClientProtocol against real Dovecot servers on 127.0.0.2 (issue 16), each fault a real configuration:
/// what an admin's console gets, step by step, with the cause and the fixing command.
/// </summary>
[Collection("Lab")]
public sealed class ClientProtocolDovecotTests : IClassFixture<DovecotServers>
{
    private readonly IReadOnlyDictionary<string, DovecotInstance> _dovecot;

    public ClientProtocolDovecotTests(LabFixture lab, DovecotServers servers) => _dovecot = servers.Start(lab);

    [Fact]
    public void Imaps_with_a_valid_certificate_logs_in_and_out_and_never_shows_the_password()
    {
        ScriptResult run = Run($"Test-ExchangeClientProtocol -Uri imaps://mail.contoso.lab:{_dovecot["good"].Imaps} -ExchangeServer EX01 -TargetAddress 127.0.0.2 -Credential $cred -TimeoutSec 5");

        ExchangeClientProtocolResult[] rows = run.Objects<ExchangeClientProtocolResult>().ToArray();
        Assert.Equal(new[] { "Dns", "TcpConnect", "Tls", "Greeting", "Capability", "Login", "Logout" }, rows.Select(r => r.Check));
        Assert.All(rows.Skip(1), r => Assert.Equal((CheckStatus.Pass, MapiHttpCause.None), (r.Status, r.Cause)));
        Assert.All(rows, r => Assert.Equal(ExchangeClientProtocol.Imap4, r.Protocol));
        Assert.Equal($"imaps://mail.contoso.lab:{_dovecot["good"].Imaps}", rows[0].Target);
        Assert.StartsWith("IMAP4 greeting: * OK ", rows[3].Message, StringComparison.Ordinal);
        Assert.Contains("AUTH=PLAIN", (string[])rows[4].Evidence["Capabilities"]!);
        Assert.Equal("alice@contoso.lab", rows[5].Evidence["User"]);
        Assert.DoesNotContain(rows, r => (r.Message + r.Recommendation + r.EvidenceText()).Contains(DovecotServers.Password, StringComparison.Ordinal));
        Assert.Empty(run.Errors);
    }

    [Fact]
    public void Imap_on_143_upgrades_with_starttls_and_logs_in_only_inside_tls()
    {
        ScriptResult run = Run($"Test-ExchangeClientProtocol -Uri imap://mail.contoso.lab:{_dovecot["good"].Imap} -TargetAddress 127.0.0.2 -Credential $cred -TimeoutSec 5");

        ExchangeClientProtocolResult[] rows = run.Objects<ExchangeClientProtocolResult>().ToArray();
        Assert.Equal(new[] { "Dns", "TcpConnect", "Greeting", "Capability", "PlainTextLogin", "StartTls", "Tls", "Capability", "Login", "Logout" }, rows.Select(r => r.Check));
        Assert.All(rows.Skip(1), r => Assert.Equal(CheckStatus.Pass, r.Status));
        Assert.Contains("LOGINDISABLED", (string[])rows[3].Evidence["Capabilities"]!);
        Assert.Equal(false, rows[3].Evidence["InsideTls"]);
        Assert.Equal(true, rows[7].Evidence["InsideTls"]);
        Assert.DoesNotContain("LOGINDISABLED", (string[])rows[7].Evidence["Capabilities"]!);
        Assert.Equal(MailSecurity.StartTls, rows[1].Security);
    }

    [Fact]
    public void Pop3_on_995_and_on_110_with_stls_log_in()
    {
        DovecotInstance good = _dovecot["good"];
        ScriptResult run = Run($"Test-ExchangeClientProtocol -Uri pops://mail.contoso.lab:{good.Pop3s}, pop://mail.contoso.lab:{good.Pop3} -TargetAddress 127.0.0.2 -Credential $cred -TimeoutSec 5");

        ExchangeClientProtocolResult[] rows = run.Objects<ExchangeClientProtocolResult>().ToArray();
        ExchangeClientProtocolResult[] implicitTls = rows.Where(r => r.Target == $"pops://mail.contoso.lab:{good.Pop3s}").ToArray();
        ExchangeClientProtocolResult[] stls = rows.Where(r => r.Target == $"pop://mail.contoso.lab:{good.Pop3}").ToArray();
        Assert.Equal(new[] { "Dns", "TcpConnect", "Tls", "Greeting", "Capability", "Login", "Logout" }, implicitTls.Select(r => r.Check));
        Assert.Equal(new[] { "Dns", "TcpConnect", "Greeting", "Capability", "PlainTextLogin", "StartTls", "Tls", "Capability", "Login", "Logout" }, stls.Select(r => r.Check));
        Assert.All(rows.Where(r => r.Check != "Dns"), r => Assert.Equal(CheckStatus.Pass, r.Status));
        Assert.All(rows, r => Assert.Equal(ExchangeClientProtocol.Pop3, r.Protocol));
        Assert.StartsWith("POP3 greeting: +OK", implicitTls[3].Message, StringComparison.Ordinal);

        // The DNS row of each URL comes out with that URL's rows: the table groups read per URL.
        int switches = rows.Zip(rows.Skip(1), (a, b) => a.Target != b.Target).Count(changed => changed);
        Assert.Equal(1, switches);
    }

    [Fact]
    public void A_wrong_password_is_an_authentication_failure()
    {
        ScriptResult run = Run($"Test-ExchangeClientProtocol -Uri imaps://mail.contoso.lab:{_dovecot["good"].Imaps} -TargetAddress 127.0.0.2 -Credential $wrong -TimeoutSec 5");

        ExchangeClientProtocolResult login = run.Objects<ExchangeClientProtocolResult>().Single(r => r.Check == "Login");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (login.Status, login.Cause));
        Assert.StartsWith("IMAP4 login as alice@contoso.lab was refused: NO [AUTHENTICATIONFAILED]", login.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Objects<ExchangeClientProtocolResult>(), r => r.Check == "Logout");
        Assert.DoesNotContain(run.Objects<ExchangeClientProtocolResult>(), r => (r.Message + r.EvidenceText()).Contains("not-the-password", StringComparison.Ordinal));
    }

    [Fact]
    public void A_certificate_for_another_name_fails_with_the_imap_certificate_fix()
    {
        ScriptResult run = Run($"Test-ExchangeClientProtocol -Uri imaps://mail.contoso.lab:{_dovecot["wrongname"].Imaps} -ExchangeServer EX01 -TargetAddress 127.0.0.2 -Credential $cred -TimeoutSec 5");

        ExchangeClientProtocolResult[] rows = run.Objects<ExchangeClientProtocolResult>().ToArray();
        ExchangeClientProtocolResult tls = rows.Single(r => r.Check == "Tls");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Certificate), (tls.Status, tls.Cause));
        Assert.Equal("The certificate served by 127.0.0.2 is not valid for IMAP4 clients: it does not cover 'mail.contoso.lab' (names: wrong.contoso.lab).", tls.Message);
        Assert.Equal("Get-ExchangeCertificate -Server EX01 | Where-Object { $_.CertificateDomains -contains 'mail.contoso.lab' -and $_.NotAfter -gt (Get-Date) }, then Enable-ExchangeCertificate -Server EX01 -Thumbprint <thumbprint> -Services IMAP; Set-ImapSettings -Server EX01 -X509CertificateName mail.contoso.lab; Invoke-Command -ComputerName EX01 -ScriptBlock { Restart-Service MSExchangeIMAP4, MSExchangeIMAP4BE }", tls.Recommendation);
        Assert.Equal(new[] { "Dns", "TcpConnect", "Tls" }, rows.Select(r => r.Check));
    }

    [Fact]
    public void An_expired_certificate_fails_on_both_protocols()
    {
        DovecotInstance expired = _dovecot["expired"];
        ScriptResult run = Run($"Test-ExchangeClientProtocol -Uri imaps://mail.contoso.lab:{expired.Imaps}, pops://mail.contoso.lab:{expired.Pop3s} -TargetAddress 127.0.0.2 -TimeoutSec 5");

        ExchangeClientProtocolResult[] tls = run.Objects<ExchangeClientProtocolResult>().Where(r => r.Check == "Tls").ToArray();
        Assert.Equal(2, tls.Length);
        Assert.All(tls, r => Assert.Equal((CheckStatus.Fail, MapiHttpCause.Certificate), (r.Status, r.Cause)));
        Assert.All(tls, r => Assert.Contains($"it expired on {DateTime.UtcNow.AddDays(-1):yyyy-MM-dd}", r.Message, StringComparison.Ordinal));
        Assert.Contains(tls, r => r.Recommendation!.Contains("-Services POP; Set-PopSettings -Server <server> -X509CertificateName mail.contoso.lab", StringComparison.Ordinal));
    }

    [Fact]
    public void A_protocol_whose_service_does_not_listen_is_refused_and_the_service_start_is_recommended()
    {
        // The "wrongname" Dovecot serves IMAP only: its POP3 port is closed, as with MSExchangePOP3 stopped.
        ScriptResult run = Run($"Test-ExchangeClientProtocol -Uri pops://mail.contoso.lab:{_dovecot["wrongname"].Pop3s} -ExchangeServer EX01 -TargetAddress 127.0.0.2 -TimeoutSec 5");

        ExchangeClientProtocolResult tcp = run.Objects<ExchangeClientProtocolResult>().Single(r => r.Check == "TcpConnect");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Network), (tcp.Status, tcp.Cause));
        Assert.Equal($"TCP connect to 127.0.0.2:{_dovecot["wrongname"].Pop3s} for POP3 failed: connection refused (nothing listens on that port: the service is stopped, or a firewall rejects it).", tcp.Message);
        Assert.Contains("Invoke-Command -ComputerName EX01 -ScriptBlock { Set-Service -Name MSExchangePOP3 -StartupType Automatic; Start-Service -Name MSExchangePOP3 }", tcp.Recommendation, StringComparison.Ordinal);
        Assert.Equal("ConnectionRefused", tcp.Evidence["SocketError"]);
    }

    [Fact]
    public void Plain_text_login_before_tls_is_a_warning_with_the_securelogin_fix()
    {
        DovecotInstance plain = _dovecot["plaintext"];
        ScriptResult run = Run($"Test-ExchangeClientProtocol -Uri imap://mail.contoso.lab:{plain.Imap}, pop://mail.contoso.lab:{plain.Pop3} -ExchangeServer EX01 -TargetAddress 127.0.0.2 -TimeoutSec 5");

        ExchangeClientProtocolResult[] plainRows = run.Objects<ExchangeClientProtocolResult>().Where(r => r.Check == "PlainTextLogin").ToArray();
        Assert.Equal(2, plainRows.Length);
        Assert.All(plainRows, r => Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication, true), (r.Status, r.Cause, r.Evidence["PlainTextLoginOffered"])));
        Assert.Equal("Set-ImapSettings -Server EX01 -LoginType SecureLogin; Invoke-Command -ComputerName EX01 -ScriptBlock { Restart-Service MSExchangeIMAP4, MSExchangeIMAP4BE }",
            plainRows.Single(r => r.Protocol == ExchangeClientProtocol.Imap4).Recommendation);
        Assert.Equal("Set-PopSettings -Server EX01 -LoginType SecureLogin; Invoke-Command -ComputerName EX01 -ScriptBlock { Restart-Service MSExchangePOP3, MSExchangePOP3BE }",
            plainRows.Single(r => r.Protocol == ExchangeClientProtocol.Pop3).Recommendation);
    }

    [Fact]
    public void Plain_text_login_disabled_without_tls_fails_and_the_password_is_never_sent()
    {
        DovecotInstance noTls = _dovecot["notls"];
        ScriptResult run = Run($"Test-ExchangeClientProtocol -Uri imap://mail.contoso.lab:{noTls.Imap}, pop://mail.contoso.lab:{noTls.Pop3} -TargetAddress 127.0.0.2 -Credential $cred -TimeoutSec 5");

        ExchangeClientProtocolResult[] rows = run.Objects<ExchangeClientProtocolResult>().ToArray();
        ExchangeClientProtocolResult[] plainRows = rows.Where(r => r.Check == "PlainTextLogin").ToArray();
        Assert.Equal(2, plainRows.Length);
        Assert.All(plainRows, r => Assert.Equal((CheckStatus.Fail, MapiHttpCause.Certificate), (r.Status, r.Cause)));
        Assert.StartsWith("IMAP4 demands TLS before login but does not offer STARTTLS: no client can log in on this port", plainRows.Single(r => r.Protocol == ExchangeClientProtocol.Imap4).Message, StringComparison.Ordinal);
        ExchangeClientProtocolResult[] logins = rows.Where(r => r.Check == "Login").ToArray();
        Assert.All(logins, r => Assert.Equal(CheckStatus.Skipped, r.Status));
        Assert.All(logins, r => Assert.EndsWith("login not sent: this connection has no TLS, and credentials are never sent in clear. Pass -AllowUnencryptedAuthentication to send them anyway.", r.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(rows, r => r.Check == "StartTls" || r.Check == "Tls");
    }

    [Fact]
    public async Task A_server_that_accepts_tcp_and_never_greets_fails_after_the_timeout()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task<TcpClient> accepted = listener.AcceptTcpClientAsync();
        try
        {
            ScriptResult run = Run($"Test-ExchangeClientProtocol -Uri imap://mail.contoso.lab:{port} -TargetAddress 127.0.0.1 -TimeoutSec 1");

            ExchangeClientProtocolResult greeting = run.Objects<ExchangeClientProtocolResult>().Single(r => r.Check == "Greeting");
            Assert.Equal((CheckStatus.Fail, MapiHttpCause.Network), (greeting.Status, greeting.Cause));
            Assert.StartsWith("127.0.0.1 accepted the connection but sent no IMAP4 greeting within 1 s: ", greeting.Message, StringComparison.Ordinal);
            Assert.Equal(true, greeting.Evidence["TimedOut"]);
            Assert.Equal(new[] { "Dns", "TcpConnect", "Greeting" }, run.Objects<ExchangeClientProtocolResult>().Select(r => r.Check));
        }
        finally
        {
            listener.Stop();
            (await accepted).Dispose();
        }
    }

    [Fact]
    public async Task Ctrl_c_stops_a_probe_waiting_for_a_greeting()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task<TcpClient> accepted = listener.AcceptTcpClientAsync();
        try
        {
            using var session = new ModuleSession();
            using PowerShell shell = session.Prepare($"Test-ExchangeClientProtocol -Uri pop://mail.contoso.lab:{port} -TargetAddress 127.0.0.1 -TimeoutSec 120");
            IAsyncResult running = shell.BeginInvoke();
            Assert.Same(accepted, await Task.WhenAny(accepted, Task.Delay(TimeSpan.FromSeconds(30))));

            shell.Stop();

            // The guard is far below the 120 s timeout: only the cancellation token can end the wait this early.
            Assert.True(running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30)));
            Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
        }
        finally
        {
            listener.Stop();
            if (accepted.IsCompletedSuccessfully)
            {
                (await accepted).Dispose();
            }
        }
    }

    private static ScriptResult Run(string script)
    {
        using var session = new ModuleSession();
        return session.Invoke(script, new Dictionary<string, object?> { ["cred"] = Credential(DovecotServers.Password), ["wrong"] = Credential("not-the-password") });
    }

    private static PSCredential Credential(string password)
    {
        var secure = new SecureString();
        foreach (char c in password)
        {
            secure.AppendChar(c);
        }

        return new PSCredential(DovecotServers.User, secure);
    }
}
