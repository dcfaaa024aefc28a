using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.ClientProtocols;
using MapiHttpTools.Exchange;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Commands;

/// <summary>
/// Tests IMAP4 and POP3 beside MAPI/HTTP (issue 16): per URL and address DNS, TCP, implicit TLS or STARTTLS/STLS with the
/// MAPI probe's certificate judgement, the greeting and capabilities, plain-text login before TLS, and with -Credential a
/// login and logout; with the Exchange cmdlets, the settings, services, component state and mailbox settings behind them.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "ExchangeClientProtocol", DefaultParameterSetName = ComputerNameSet)]
[OutputType(typeof(ExchangeClientProtocolResult))]
public sealed class TestExchangeClientProtocolCommand : MapiHttpCmdletBase
{
    private const string UriSet = "Uri";
    private const string ComputerNameSet = "ComputerName";

    private readonly List<MailTarget> _targets = new();
    private readonly List<string> _servers = new();
    private readonly HashSet<string> _seen = new(StringComparer.OrdinalIgnoreCase);

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = UriSet)]
    [ValidateNotNullOrEmpty]
    public string[] Uri { get; set; } = Array.Empty<string>();

    /// <summary>Exchange servers (or names) whose default IMAP4/POP3 URLs to test; also the servers whose Exchange side is read.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ComputerNameSet)]
    [Alias("Server", "Fqdn")]
    [ValidateNotNullOrEmpty]
    public string[] ComputerName { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateNotNullOrEmpty]
    public ExchangeClientProtocol[] Protocol { get; set; } = { ExchangeClientProtocol.Imap4, ExchangeClientProtocol.Pop3 };

    /// <summary>With -Uri: the Exchange server behind the URLs, named in commands and read on the Exchange side.</summary>
    [Parameter(ParameterSetName = UriSet)]
    [ValidateNotNullOrEmpty]
    public string? ExchangeServer { get; set; }

    /// <summary>Mailboxes whose ImapEnabled/PopEnabled to read (Get-CASMailbox).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Mailbox { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? TargetAddress { get; set; }

    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 15;

    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>Send -Credential without TLS or to an unvalidated certificate: off by default (issue 16, as issue 20).</summary>
    [Parameter]
    public SwitchParameter AllowUnencryptedAuthentication { get; set; }

    /// <summary>Probe only; do not read the Exchange side even where the Exchange cmdlets are present.</summary>
    [Parameter]
    public SwitchParameter SkipExchangeCheck { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == UriSet)
        {
            foreach (string text in Uri)
            {
                Add(text, ExchangeServer);
            }

            return;
        }

        foreach (string computer in ComputerName)
        {
            string name = computer.Trim();
            if (!_servers.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                _servers.Add(name);
            }

            foreach (ExchangeClientProtocol protocol in Protocol.Distinct())
            {
                foreach (string url in MailTarget.DefaultUrls(name, protocol))
                {
                    Add(url, name);
                }
            }
        }
    }

    protected override void EndProcessing()
    {
        if (ExchangeServer is not null && !_servers.Contains(ExchangeServer, StringComparer.OrdinalIgnoreCase))
        {
            _servers.Add(ExchangeServer);
        }

        ExchangeClientProtocol[] protocols = Protocol.Distinct().ToArray();
        List<string> available = ExchangeSideReader.Commands.Except(RunspaceCommandRunner.FindMissing(this, ExchangeSideReader.Commands), StringComparer.OrdinalIgnoreCase).ToList();
        bool exchange = !SkipExchangeCheck && (available.Contains("Get-ImapSettings", StringComparer.OrdinalIgnoreCase) || available.Contains("Get-PopSettings", StringComparer.OrdinalIgnoreCase));
        if (Mailbox is { Length: > 0 } && !SkipExchangeCheck && !available.Contains("Get-CASMailbox", StringComparer.OrdinalIgnoreCase))
        {
            WriteError(RunspaceCommandRunner.NotFoundError(new[] { "Get-CASMailbox" }));
        }
        else if (!exchange && !SkipExchangeCheck && _servers.Count > 0)
        {
            WriteVerbose("Get-ImapSettings/Get-PopSettings are not in this session: only the network side is tested. Run in the Exchange Management Shell for the settings, services and component state.");
        }

        ServiceAccess services = ServiceAccess.Of(this, Services.IsWindows);
        var options = new MailProbeOptions
        {
            TargetAddresses = TargetAddress,
            Timeout = TimeSpan.FromSeconds(TimeoutSec),
            SkipCertificateCheck = SkipCertificateCheck,
            Credential = Credential?.GetNetworkCredential(),
            AllowUnencryptedAuthentication = AllowUnencryptedAuthentication,
            Resolver = Services.Resolver,
        };
        if (SkipCertificateCheck)
        {
            WriteWarning("-SkipCertificateCheck: server certificates are not validated for this probe; results say so in CertificateCheckSkipped.");
        }

        if (AllowUnencryptedAuthentication && Credential is not null)
        {
            WriteWarning("-AllowUnencryptedAuthentication: the credential may be sent without TLS or to a server whose certificate was not validated.");
        }

        const int activityId = 0x4950;
        RunAsync(async (pipeline, cancellation) =>
        {
            if (_targets.Count > 0)
            {
                await new MailProber(options).ProbeAsync(
                    _targets,
                    pipeline.WriteObject,
                    (done, total) => pipeline.WriteProgress(new ProgressRecord(activityId, "Testing IMAP4 and POP3", $"{done} of {total} addresses probed")
                    {
                        PercentComplete = total == 0 ? 100 : done * 100 / total,
                        RecordType = done == total ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                    }),
                    cancellation).ConfigureAwait(false);
            }

            if (SkipExchangeCheck)
            {
                return;
            }

            var reader = new ExchangeSideReader(new RunspaceClientProtocolSource(RunspaceCommandRunner.Posted(pipeline, available), services), pipeline.WriteObject);
            if (exchange)
            {
                foreach (string server in _servers)
                {
                    foreach (ExchangeClientProtocol protocol in protocols)
                    {
                        await reader.ServerAsync(server, protocol, cancellation).ConfigureAwait(false);
                    }
                }
            }

            if (available.Contains("Get-CASMailbox", StringComparer.OrdinalIgnoreCase))
            {
                foreach (string mailbox in Mailbox ?? Array.Empty<string>())
                {
                    await reader.MailboxAsync(mailbox, protocols, cancellation).ConfigureAwait(false);
                }
            }
        });
    }

    private void Add(string text, string? server)
    {
        MailTarget? target = MailTarget.Parse(text, server, out string? error);
        if (target is null)
        {
            WriteError(ErrorRecords.Create(text.Contains("://") ? "UnsupportedScheme" : "InvalidUri", ErrorCategory.InvalidArgument, text, DisplayText.Safe(error!)));
            return;
        }

        if (_seen.Add(target.Uri))
        {
            _targets.Add(target);
        }
    }
}
