using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Autodiscover;
using MapiHttpTools.Exchange;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Commands;

/// <summary>
/// Asks Autodiscover what Outlook is told about MAPI/HTTP for a mailbox, hop by hop, and says why Outlook would not get
/// (or could not use) the mapiHttp block (issue 14).
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MapiHttpAutodiscover")]
[OutputType(typeof(MapiHttpAutodiscoverResult))]
public sealed class TestMapiHttpAutodiscoverCommand : MapiHttpCmdletBase
{
    private readonly List<(string Email, IReadOnlyList<AutodiscoverCandidate> Candidates)> _work = new();

    /// <summary>
    /// The mailbox's SMTP address; binds PrimarySmtpAddress of a piped Get-Mailbox or Get-CASMailbox object. By property
    /// name only: a [string] ValueFromPipeline parameter would take a piped mailbox by value as its ToString text
    /// ("Alice Example") in the binder's first pass, before PrimarySmtpAddress could bind.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PrimarySmtpAddress", "WindowsEmailAddress")]
    [ValidateNotNullOrEmpty]
    public string[] EmailAddress { get; set; } = Array.Empty<string>();

    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public Uri[]? Uri { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? TargetAddress { get; set; }

    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public SwitchParameter UseDefaultCredentials { get; set; }

    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 15;

    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>Send credentials over plain http or to an unvalidated certificate (issue 20: off by default).</summary>
    [Parameter]
    public SwitchParameter AllowUnencryptedAuthentication { get; set; }

    /// <summary>
    /// The DNS servers asked for the _autodiscover._tcp SRV record instead of the system's: IP addresses, with an
    /// optional port ("192.0.2.53:5353", "[2001:db8::53]:5353"); no host names.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateCount(1, 8)]
    public string[]? DnsServer { get; set; }

    private IReadOnlyList<System.Net.IPEndPoint>? _dnsServers;
    private IReadOnlyList<AutodiscoverCandidate>? _given;
    private AutodiscoverExchangeReader? _exchange;
    private IReadOnlyList<string>? _scp;

    protected override void BeginProcessing()
    {
        if (Uri is { Length: > 0 })
        {
            var given = new List<AutodiscoverCandidate>();
            foreach (Uri uri in Uri)
            {
                if (!uri.IsAbsoluteUri || (uri.Scheme != System.Uri.UriSchemeHttps && uri.Scheme != System.Uri.UriSchemeHttp))
                {
                    ThrowTerminatingError(ErrorRecords.Create("InvalidAutodiscoverUri", ErrorCategory.InvalidArgument, uri,
                        $"'{DisplayText.Safe(uri.OriginalString)}' is not an http(s) URL. Pass the Autodiscover URL, for example https://autodiscover.contoso.com/autodiscover/autodiscover.xml."));
                }

                given.Add(new AutodiscoverCandidate(uri, CandidateMethod.Given));
            }

            _given = given;
        }

        if (DnsServer is { Length: > 0 })
        {
            var servers = new List<System.Net.IPEndPoint>();
            foreach (string text in DnsServer)
            {
                if (!DnsQuery.DnsServers.TryParseEndPoint(text, out System.Net.IPEndPoint? server, out string problem))
                {
                    ThrowTerminatingError(ErrorRecords.Create("InvalidDnsServer", ErrorCategory.InvalidArgument, text,
                        $"-DnsServer '{DisplayText.Safe(text)}' cannot be used: {problem}. Pass an IP address with an optional port, for example 192.0.2.53 or 192.0.2.53:5353."));
                }

                servers.Add(server!);
            }

            _dnsServers = servers;
        }

        _exchange = new AutodiscoverExchangeReader(RunspaceCommandRunner.Inline(this), WriteWarning, CancelToken);
    }

    protected override void ProcessRecord()
    {
        foreach (string text in EmailAddress)
        {
            string email = text.Trim();
            string? domain = AutodiscoverCandidates.DomainOf(email);
            if (domain is null)
            {
                WriteError(ErrorRecords.Create("InvalidEmailAddress", ErrorCategory.InvalidArgument, text,
                    $"'{DisplayText.Safe(text)}' is not an SMTP address (user@domain). Pass the mailbox's PrimarySmtpAddress."));
                continue;
            }

            if (_given is null)
            {
                _scp ??= _exchange!.ScpUrls();
            }

            _work.Add((email, _given ?? AutodiscoverCandidates.For(domain, _scp!)));
        }
    }

    protected override void EndProcessing()
    {
        if (_work.Count == 0)
        {
            return;
        }

        if (SkipCertificateCheck)
        {
            WriteWarning("-SkipCertificateCheck: server certificates are not validated; results say so in CertificateCheckSkipped.");
        }

        if (AllowUnencryptedAuthentication && (Credential is not null || UseDefaultCredentials))
        {
            WriteWarning("-AllowUnencryptedAuthentication: credentials may be sent over plain http or to a server whose certificate was not validated.");
        }

        // Exchange is read here, on the pipeline thread, before the network work starts on the thread pool.
        IReadOnlyList<MapiVirtualDirectoryUrls>? virtualDirectories = _exchange!.VirtualDirectories();
        var configurations = _work.Select(w => w.Email).Distinct(StringComparer.OrdinalIgnoreCase)
            .ToDictionary(e => e, e => _exchange.Configuration(e), StringComparer.OrdinalIgnoreCase);
        var options = new AutodiscoverOptions(new ProbeOptions
        {
            TargetAddresses = TargetAddress,
            Timeout = TimeSpan.FromSeconds(TimeoutSec),
            SkipCertificateCheck = SkipCertificateCheck,
            Credential = Credential?.GetNetworkCredential(),
            UseDefaultCredentials = UseDefaultCredentials,
            AllowUnencryptedAuthentication = AllowUnencryptedAuthentication,
            Resolver = Services.Resolver,
        })
        {
            VirtualDirectories = virtualDirectories,
            Configuration = e => configurations.TryGetValue(e, out MapiHttpConfiguration? c) ? c : null,
            StopAtFirstAnswer = _given is null,

            // The SRV candidate's servers: -DnsServer, the session's stand-in (read here, on the pipeline thread), or the system's.
            DnsServers = _given is null ? DnsQuery.DnsServers.Lazily(_dnsServers, Services.DnsServers) : null,
        };

        var prober = new AutodiscoverProber(options);
        const int activityId = 0x4D42;
        RunAsync(async (pipeline, cancellation) =>
        {
            for (int i = 0; i < _work.Count; i++)
            {
                pipeline.WriteProgress(new ProgressRecord(activityId, "Testing Autodiscover for MAPI/HTTP", $"{DisplayText.Safe(_work[i].Email)} ({i + 1} of {_work.Count})")
                {
                    PercentComplete = i * 100 / _work.Count,
                });
                await prober.RunAsync(_work[i].Email, _work[i].Candidates, pipeline.WriteObject, cancellation).ConfigureAwait(false);
            }

            pipeline.WriteProgress(new ProgressRecord(activityId, "Testing Autodiscover for MAPI/HTTP", "Done") { RecordType = ProgressRecordType.Completed });
        });
    }
}
