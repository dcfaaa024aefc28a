using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MapiHttpTools.DnsQuery;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Autodiscover;

/// <summary>What the SRV lookup of _autodiscover._tcp.&lt;domain&gt; showed: the servers asked and either their answer or why none came.</summary>
internal sealed record SrvLookupFacts(string Name, DnsServerChoice Servers, TimeSpan Timeout, SrvLookupResult? Answer, DnsLookupException? Failure);

/// <summary>
/// The SRV method of Outlook's Autodiscover (issue 14): the lookup judged (facts in, finding out) and the records turned
/// into the https URLs Outlook asks. Outlook uses only https for SRV targets, and asks the user before it trusts a
/// redirect to a target outside the address's domain; the message says so.
/// </summary>
internal static class AutodiscoverSrv
{
    public const string Check = "SrvRecord";

    /// <summary>Targets asked at most: a hostile answer with hundreds of records must not fan out into hundreds of probes.</summary>
    public const int MaxTargets = 5;

    /// <summary>Records named in Message and Evidence at most.</summary>
    public const int MaxListed = 10;

    /// <summary>The usable records in Outlook's order (RFC 2782: priority, then weight), at most <see cref="MaxTargets"/>.</summary>
    public static IReadOnlyList<(SrvRecord Record, Uri Uri)> Targets(IReadOnlyList<SrvRecord> records) =>
        DnsMessage.Order(records)
            .Where(r => r.Port > 0 && r.Target.Length > 0 && Uri.CheckHostName(r.Target) == UriHostNameType.Dns)
            .Select(r => (r, new UriBuilder(Uri.UriSchemeHttps, r.Target, r.Port, AutodiscoverCandidates.Path).Uri))
            .Take(MaxTargets)
            .ToArray();

    public static Finding Judge(SrvLookupFacts facts)
    {
        string name = DisplayText.Safe(facts.Name);
        string servers = string.Join(", ", facts.Servers.Servers.Select(DnsClient.Format));
        if (facts.Servers.Servers.Count == 0)
        {
            return new Finding(CheckStatus.Skipped, MapiHttpCause.None,
                $"The SRV record {name} was not looked up: {facts.Servers.Unavailable ?? "no DNS server is known"}.",
                $"Pass -DnsServer <address> to ask a DNS server for {name}.");
        }

        if (facts.Failure is { } failure)
        {
            string attempts = DisplayText.Safe(string.Join("; ", failure.Attempts), 1024);
            string seconds = facts.Timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
            string check = $"Check that {servers} answers DNS from this machine (UDP and TCP port 53), or pass -DnsServer to ask another server.";
            return failure.Kind switch
            {
                DnsFailureKind.Timeout => new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                    $"No DNS server answered the SRV query for {name} within {seconds} s ({attempts}).", check),
                DnsFailureKind.Malformed => new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                    $"The answer to the SRV query for {name} is malformed and was not used ({attempts}).",
                    $"A DNS server, or something between this machine and it, sends broken answers: check {servers}, or pass -DnsServer to ask another server."),
                DnsFailureKind.ServerFailure => new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                    $"The DNS server could not resolve {name}: SERVFAIL ({attempts}). Outlook's SRV method fails the same way on this network.",
                    $"Check the DNS server's forwarders and the servers of the zone of {name} (Resolve-DnsName -Type SRV {name} -Server <server>)."),
                DnsFailureKind.Refused => new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                    $"The DNS server would not answer the SRV query for {name} ({attempts}).",
                    $"This DNS server does not resolve for this machine: pass -DnsServer with the resolver the clients use."),
                _ => new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"No DNS server could be asked for {name} ({attempts}).", check),
            };
        }

        SrvLookupResult answer = facts.Answer!;
        string from = $"{DnsClient.Format(answer.Server)} over {answer.Transport}";
        string create = $"Only if clients should find Autodiscover this way (for example for an SMTP domain without autodiscover.<domain> on its certificate): create {name} SRV 0 0 443 <autodiscover namespace>.";
        if (answer.ResponseCode == DnsResponseCodes.NameError)
        {
            return new Finding(CheckStatus.Warning, MapiHttpCause.None,
                $"No SRV record: {name} does not exist (NXDOMAIN from {from}). Outlook's SRV method finds nothing here; that matters only when no other candidate answers.", create);
        }

        if (answer.Records.Count == 0)
        {
            return new Finding(CheckStatus.Warning, MapiHttpCause.None,
                $"No SRV record: {name} exists but has no SRV record (NOERROR without an answer from {from}). Outlook's SRV method finds nothing here; that matters only when no other candidate answers.", create);
        }

        IReadOnlyList<(SrvRecord Record, Uri Uri)> targets = Targets(answer.Records);
        string records = string.Join(", ", DnsMessage.Order(answer.Records).Take(MaxListed).Select(r => DisplayText.Safe(r.ToString(), 300))) +
                         (answer.Records.Count > MaxListed ? $" and {answer.Records.Count - MaxListed} more" : string.Empty);
        if (targets.Count == 0)
        {
            bool decline = answer.Records.All(r => r.Target.Length == 0);
            return new Finding(CheckStatus.Warning, MapiHttpCause.None,
                decline
                    ? $"{name} says Autodiscover is not offered here: its SRV target is '.' (RFC 2782), from {from}."
                    : $"{name} has SRV records but none with a usable host name and port ({records}; from {from}).",
                $"Correct the SRV record to name the Autodiscover host and port 443, for example {name} SRV 0 0 443 autodiscover.<domain>.");
        }

        string order = string.Join(", ", targets.Select(t => $"{DisplayText.Safe(t.Uri.Authority)} (priority {t.Record.Priority}, weight {t.Record.Weight})"));
        return new Finding(CheckStatus.Pass, MapiHttpCause.None,
            $"{name} has {answer.Records.Count} SRV record(s) ({records}; from {from}); asked in Outlook's order (priority, then weight): {order}. " +
            "Outlook asks only https on the target and port, and asks the user before it trusts this redirect ('Allow this website to configure ... server settings?') unless the target is in the address's domain.");
    }

    public static Dictionary<string, object?> Evidence(SrvLookupFacts facts)
    {
        var evidence = new Dictionary<string, object?>
        {
            ["SrvName"] = DisplayText.Safe(facts.Name),
            ["DnsServers"] = facts.Servers.Servers.Select(DnsClient.Format).ToArray(),
            ["DnsServerSource"] = facts.Servers.Source,
        };
        if (facts.Failure is { } failure)
        {
            evidence["DnsAttempts"] = failure.Attempts.Select(a => DisplayText.Safe(a, 512)).ToArray();
        }

        if (facts.Answer is { } answer)
        {
            IReadOnlyList<SrvRecord> ordered = DnsMessage.Order(answer.Records);
            evidence["DnsServer"] = DnsClient.Format(answer.Server);
            evidence["DnsTransport"] = answer.Transport;
            evidence["DnsResponseCode"] = DnsResponseCodes.Name(answer.ResponseCode);
            evidence["DnsAttempts"] = answer.Attempts.Select(a => DisplayText.Safe(a, 512)).ToArray();
            evidence["SrvRecords"] = ordered.Take(MaxListed).Select(r => DisplayText.Safe(r.ToString(), 300)).ToArray();
            if (ordered.Count > 0)
            {
                evidence["Priority"] = ordered[0].Priority;
                evidence["Weight"] = ordered[0].Weight;
                evidence["Port"] = ordered[0].Port;
                evidence["Target"] = DisplayText.Safe(ordered[0].Target);
            }
        }

        return evidence;
    }
}
