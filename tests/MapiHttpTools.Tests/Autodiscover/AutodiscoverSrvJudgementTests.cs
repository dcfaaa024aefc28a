using System;
using System.Linq;
using System.Net;
using MapiHttpTools.Autodiscover;
using MapiHttpTools.DnsQuery;
using MapiHttpTools.Probing;
using Xunit;

namespace MapiHttpTools.Tests.Autodiscover;

/// <summary>The SRV candidate's judgement (issue 14), facts in and findings out: each kind of answer and failure.</summary>
public sealed class AutodiscoverSrvJudgementTests
{
    private const string Name = "_autodiscover._tcp.contoso.com";
    private static readonly IPEndPoint Server = new(IPAddress.Parse("10.0.0.53"), 53);
    private static readonly DnsServerChoice Servers = new(new[] { Server }, "/etc/resolv.conf", null);

    [Fact]
    public void Servfail_is_a_network_failure_naming_the_server()
    {
        Finding finding = Judge(failure: new DnsLookupException(DnsFailureKind.ServerFailure, new[] { "10.0.0.53:53 UDP: SERVFAIL" }));

        Assert.Equal(CheckStatus.Fail, finding.Status);
        Assert.Equal(MapiHttpCause.Network, finding.Cause);
        Assert.Equal("The DNS server could not resolve _autodiscover._tcp.contoso.com: SERVFAIL (10.0.0.53:53 UDP: SERVFAIL). Outlook's SRV method fails the same way on this network.", finding.Message);
        Assert.Equal("Check the DNS server's forwarders and the servers of the zone of _autodiscover._tcp.contoso.com (Resolve-DnsName -Type SRV _autodiscover._tcp.contoso.com -Server <server>).", finding.Recommendation);
    }

    [Fact]
    public void Refused_and_unreachable_are_network_failures()
    {
        Finding refused = Judge(failure: new DnsLookupException(DnsFailureKind.Refused, new[] { "10.0.0.53:53 UDP: REFUSED" }));
        Finding unreachable = Judge(failure: new DnsLookupException(DnsFailureKind.Unreachable, new[] { "10.0.0.53:53 UDP: Connection refused" }));

        Assert.Equal("The DNS server would not answer the SRV query for _autodiscover._tcp.contoso.com (10.0.0.53:53 UDP: REFUSED).", refused.Message);
        Assert.Equal(MapiHttpCause.Network, refused.Cause);
        Assert.Equal("No DNS server could be asked for _autodiscover._tcp.contoso.com (10.0.0.53:53 UDP: Connection refused).", unreachable.Message);
        Assert.Equal("Check that 10.0.0.53:53 answers DNS from this machine (UDP and TCP port 53), or pass -DnsServer to ask another server.", unreachable.Recommendation);
    }

    [Fact]
    public void Name_without_srv_records_is_a_warning()
    {
        Finding finding = Judge(answer: Answer(DnsResponseCodes.NoError));

        Assert.Equal(CheckStatus.Warning, finding.Status);
        Assert.Equal(MapiHttpCause.None, finding.Cause);
        Assert.Equal("No SRV record: _autodiscover._tcp.contoso.com exists but has no SRV record (NOERROR without an answer from 10.0.0.53:53 over UDP). Outlook's SRV method finds nothing here; that matters only when no other candidate answers.", finding.Message);
    }

    [Fact]
    public void Root_target_says_the_service_is_not_offered()
    {
        Finding finding = Judge(answer: Answer(DnsResponseCodes.NoError, new SrvRecord(0, 0, 0, string.Empty, 60)));

        Assert.Equal(CheckStatus.Warning, finding.Status);
        Assert.Equal("_autodiscover._tcp.contoso.com says Autodiscover is not offered here: its SRV target is '.' (RFC 2782), from 10.0.0.53:53 over UDP.", finding.Message);
    }

    [Fact]
    public void Targets_that_are_not_host_names_are_never_asked()
    {
        // Escaped bytes from the wire, port 0 and a name with a path: none can become an https URL to ask.
        var records = new[]
        {
            new SrvRecord(0, 0, 443, "evil\\047path.contoso.com", 60),
            new SrvRecord(1, 0, 0, "autodiscover.contoso.com", 60),
            new SrvRecord(2, 0, 443, "a\\027[2J.contoso.com", 60),
        };

        Finding finding = Judge(answer: Answer(DnsResponseCodes.NoError, records));

        Assert.Empty(AutodiscoverSrv.Targets(records));
        Assert.Equal(CheckStatus.Warning, finding.Status);
        Assert.StartsWith("_autodiscover._tcp.contoso.com has SRV records but none with a usable host name and port (0 0 443 evil\\047path.contoso.com, 1 0 0 autodiscover.contoso.com, 2 0 443 a\\027[2J.contoso.com;", finding.Message);
    }

    [Fact]
    public void At_most_five_targets_are_asked_and_ten_records_listed()
    {
        SrvRecord[] records = Enumerable.Range(1, 40).Select(i => new SrvRecord(i, 0, 443, $"fe{i}.contoso.com", 60)).ToArray();

        Assert.Equal(
            new[] { "https://fe1.contoso.com/autodiscover/autodiscover.xml", "https://fe2.contoso.com/autodiscover/autodiscover.xml", "https://fe3.contoso.com/autodiscover/autodiscover.xml", "https://fe4.contoso.com/autodiscover/autodiscover.xml", "https://fe5.contoso.com/autodiscover/autodiscover.xml" },
            AutodiscoverSrv.Targets(records).Select(t => t.Uri.AbsoluteUri).ToArray());
        Finding finding = Judge(answer: Answer(DnsResponseCodes.NoError, records));
        Assert.Contains("10 0 443 fe10.contoso.com and 30 more; from 10.0.0.53:53 over UDP)", finding.Message);
        var evidence = AutodiscoverSrv.Evidence(new SrvLookupFacts(Name, Servers, TimeSpan.FromSeconds(15), Answer(DnsResponseCodes.NoError, records), null));
        Assert.Equal(10, ((string[])evidence["SrvRecords"]!).Length);
    }

    private static Finding Judge(SrvLookupResult? answer = null, DnsLookupException? failure = null) =>
        AutodiscoverSrv.Judge(new SrvLookupFacts(Name, Servers, TimeSpan.FromSeconds(15), answer, failure));

    private static SrvLookupResult Answer(int code, params SrvRecord[] records) =>
        new(Server, "UDP", code, records, 0, new[] { $"10.0.0.53:53 UDP: {DnsResponseCodes.Name(code)}" });
}
