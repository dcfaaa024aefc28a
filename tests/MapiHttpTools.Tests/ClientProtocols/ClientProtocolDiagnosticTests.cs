using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.ClientProtocols;
using MapiHttpTools.Diagnostics;
using MapiHttpTools.Lab;
using MapiHttpTools.Probing;
using MapiHttpTools.Tests.Exchange;
using MapiHttpTools.Tests.Lab;
using Xunit;

namespace MapiHttpTools.Tests.ClientProtocols;

/// <summary>
/// Invoke-MapiHttpDiagnostic -IncludeProtocol (issue 16): IMAP4/POP3 beside OWA, EWS and MAPI in the protocol
/// differential, and a verdict that names the failing client protocols.
/// </summary>
[Collection("Lab")]
public sealed class ClientProtocolDiagnosticTests : IClassFixture<DovecotServers>
{
    private readonly IReadOnlyDictionary<string, DovecotInstance> _dovecot;

    public ClientProtocolDiagnosticTests(LabFixture lab, DovecotServers servers) => _dovecot = servers.Start(lab);

    [Fact]
    public void The_verdict_names_which_client_protocol_fails_on_which_server_and_why()
    {
        DovecotInstance good = _dovecot["good"];
        using var session = new ModuleSession();
        ExchangeLab.Contoso("EX01", "EX02").Install(session);
        session.Services().EndpointProbeStageFactory = _ => new NoProbe();

        // EX01 answers IMAP4 (Dovecot, whose certificate names mail.contoso.lab, not ex01.contoso.lab); nothing listens for EX02.
        session.Services().HostResolver = new Resolver(new Dictionary<string, string> { ["ex01.contoso.lab"] = DovecotServers.Address, ["ex02.contoso.lab"] = "127.0.0.3" });
        session.Services().MailPorts = new Dictionary<string, int> { ["imaps"] = good.Imaps, ["imap"] = good.Imap };

        ScriptResult run = session.Invoke("Invoke-MapiHttpDiagnostic -SkipIisCheck -IncludeProtocol Imap4 -TimeoutSec 5");

        ExchangeClientProtocolResult[] imap = run.Objects<ExchangeClientProtocolResult>().ToArray();
        Assert.Equal(new[] { "EX01", "EX02" }, imap.Select(r => r.Server).Distinct().OrderBy(s => s));
        Assert.All(imap, r => Assert.Equal(ExchangeClientProtocol.Imap4, r.Protocol));
        Assert.Contains(imap, r => r.Server == "EX01" && r.Check == "Tls" && r.Cause == MapiHttpCause.Certificate && r.Status == CheckStatus.Fail);
        Assert.Contains(imap, r => r.Server == "EX02" && r.Check == "TcpConnect" && r.Cause == MapiHttpCause.Network);

        MapiHttpVerdictResult verdict = run.Objects<MapiHttpVerdictResult>().Single();
        Assert.Equal(CheckStatus.Fail, verdict.Status);
        Assert.Contains("Client protocols: IMAP4 fails on EX01 (Certificate at Tls); IMAP4 fails on EX02 (Network at TcpConnect).", verdict.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(verdict.Findings, f => f.Message.Contains("IMAP4", StringComparison.Ordinal));
    }

    [Fact]
    public void Imap4_answering_beside_a_failing_mapi_joins_the_protocol_differential()
    {
        var results = new List<MapiHttpResult>
        {
            Endpoint("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "/mapi/healthcheck.htm answers 503."),
            Endpoint("HealthCheck:owa", CheckStatus.Pass, MapiHttpCause.None, "/owa/healthcheck.htm answers 200 OK."),
            Mail(ExchangeClientProtocol.Imap4, "Login", CheckStatus.Pass, MapiHttpCause.None),
            Mail(ExchangeClientProtocol.Pop3, "TcpConnect", CheckStatus.Fail, MapiHttpCause.Network),
        };

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);

        Assert.Contains("MAPI/HTTP fails on EX01 while owa, IMAP4 answer; POP3 fails as well.", verdict.Message, StringComparison.Ordinal);
        Assert.Contains("Client protocols: IMAP4 works on EX01; POP3 fails on EX01 (Network at TcpConnect).", verdict.Message, StringComparison.Ordinal);
        Assert.Equal(MapiHttpCause.AppPool, verdict.Cause);
    }

    [Fact]
    public void Every_page_and_both_client_protocols_failing_is_a_front_end_down()
    {
        var results = new List<MapiHttpResult>
        {
            Endpoint("HealthCheck", CheckStatus.Fail, MapiHttpCause.Network, "/mapi/healthcheck.htm answers 503."),
            Endpoint("HealthCheck:owa", CheckStatus.Fail, MapiHttpCause.Network, "/owa/healthcheck.htm answers 503."),
            Mail(ExchangeClientProtocol.Imap4, "TcpConnect", CheckStatus.Fail, MapiHttpCause.Network),
            Mail(ExchangeClientProtocol.Pop3, "TcpConnect", CheckStatus.Fail, MapiHttpCause.Network),
        };

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);

        Assert.Equal(new[] { "EX01" }, verdict.ServersWithAllProtocolsFailing);
    }

    private static MapiHttpEndpointResult Endpoint(string check, CheckStatus status, MapiHttpCause cause, string message) =>
        new(check, status, cause, "https://ex01.contoso.lab/mapi", "10.0.0.11", "EX01", null, 1, null, false, message, null, null);

    private static ExchangeClientProtocolResult Mail(ExchangeClientProtocol protocol, string check, CheckStatus status, MapiHttpCause cause) =>
        new(check, status, cause, protocol, protocol == ExchangeClientProtocol.Imap4 ? "imaps://ex01.contoso.lab:993" : "pops://ex01.contoso.lab:995", "10.0.0.11", "EX01", MailSecurity.Tls, 1, false, check + " " + status, null, null);

    private sealed class NoProbe : IEndpointProbeStage
    {
        public Task RunAsync(IReadOnlyList<EndpointProbeRequest> requests, Action<MapiHttpResult, bool> emit, Action<int, int>? progress, CancellationToken cancellation) => Task.CompletedTask;
    }

    private sealed class Resolver : IHostResolver
    {
        private readonly IReadOnlyDictionary<string, string> _map;

        public Resolver(IReadOnlyDictionary<string, string> map) => _map = map;

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation) =>
            _map.TryGetValue(host, out string? address)
                ? Task.FromResult(new[] { IPAddress.Parse(address) })
                : Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException(11001));
    }
}
