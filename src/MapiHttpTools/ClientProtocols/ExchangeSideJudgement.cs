using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Exchange;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.ClientProtocols;

/// <summary>Get-ImapSettings/Get-PopSettings of one server, as read (issue 16), under Exchange's property names (a snapshot keeps them so).</summary>
internal sealed record ProtocolSettingsFacts(string Server, string? X509CertificateName, string? LoginType, IReadOnlyList<string> ExternalConnectionSettings, IReadOnlyList<string> InternalConnectionSettings)
{
    /// <summary>
    /// The host names clients are given: ExternalConnectionSettings ("mail.contoso.com:993:SSL"), else
    /// InternalConnectionSettings. The name clients outside are given is what X509CertificateName must match; internal
    /// settings default to the server's FQDN, which a namespace certificate rarely lists, so they count only when there
    /// are no external ones.
    /// </summary>
    public IReadOnlyList<string> ConnectionHosts =>
        (ExternalConnectionSettings.Count > 0 ? ExternalConnectionSettings : InternalConnectionSettings)
        .Select(ExchangeSideJudgement.HostOf).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>Every connection setting as read, for the evidence.</summary>
    public IReadOnlyList<string> ConnectionSettings => ExternalConnectionSettings.Concat(InternalConnectionSettings).ToArray();
}

/// <summary>One Windows service as Get-ServiceController reports it; null Status when the service does not exist.</summary>
internal sealed record ServiceFacts(string Name, string? Status, string? StartType);

/// <summary>
/// The Exchange side of IMAP4/POP3 (issue 16): pure judgements of the settings, services, component state and mailbox
/// settings that keep a protocol from working, each with the command that fixes it.
/// </summary>
internal static class ExchangeSideJudgement
{
    public static IReadOnlyList<string> Services(ExchangeClientProtocol protocol) =>
        new[] { MailJudgement.FrontEndService(protocol), MailJudgement.BackEndService(protocol) };

    /// <summary>The host of a ProtocolConnectionSettings text ("mail.contoso.com:993:SSL"), or null.</summary>
    public static string? HostOf(string setting)
    {
        string trimmed = setting.Trim();
        int colon = trimmed.IndexOf(':');
        string host = colon > 0 ? trimmed.Substring(0, colon) : trimmed;
        return ServerNames.AsHostName(host);
    }

    /// <summary>X509CertificateName: set, and covering the names clients are given in the connection settings.</summary>
    public static Finding CertificateName(ExchangeClientProtocol protocol, ProtocolSettingsFacts facts)
    {
        string cmdlet = MailJudgement.SettingsCmdlet(protocol);
        string? first = facts.ConnectionHosts.FirstOrDefault();
        string name = first ?? "<namespace>";
        if (facts.X509CertificateName is null)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.Certificate,
                $"{MailJudgement.Text(protocol)} on {facts.Server} has no X509CertificateName: Exchange serves the certificate it picks, usually the self-signed one clients reject, and may not offer STARTTLS.",
                $"{cmdlet} -Server {facts.Server} -X509CertificateName {name}; {MailJudgement.RestartServices(protocol, facts.Server)}");
        }

        string certificateName = DisplayText.Safe(facts.X509CertificateName, 120);
        string[] uncovered = facts.ConnectionHosts.Where(h => !CertificateFacts.NameMatches(facts.X509CertificateName, h)).ToArray();
        if (uncovered.Length > 0)
        {
            return new Finding(CheckStatus.Warning, MapiHttpCause.Certificate,
                $"{MailJudgement.Text(protocol)} on {facts.Server} uses the certificate named '{certificateName}', but clients are given {string.Join(", ", uncovered)} (connection settings): unless the certificate also lists those names, clients reject it.",
                $"{cmdlet} -Server {facts.Server} -X509CertificateName {uncovered[0]}; {MailJudgement.RestartServices(protocol, facts.Server)}");
        }

        return new Finding(CheckStatus.Pass, MapiHttpCause.None,
            $"{MailJudgement.Text(protocol)} on {facts.Server} uses the certificate named '{certificateName}'{(facts.ConnectionHosts.Count > 0 ? ", the name clients are given" : string.Empty)}.");
    }

    /// <summary>LoginType: SecureLogin (plain text only inside TLS) is Exchange's default and the safe one.</summary>
    public static Finding LoginType(ExchangeClientProtocol protocol, ProtocolSettingsFacts facts)
    {
        string cmdlet = MailJudgement.SettingsCmdlet(protocol);
        switch (facts.LoginType)
        {
            case "SecureLogin":
                return new Finding(CheckStatus.Pass, MapiHttpCause.None,
                    $"{MailJudgement.Text(protocol)} on {facts.Server}: LoginType SecureLogin (passwords only inside TLS; clients must use {(protocol == ExchangeClientProtocol.Imap4 ? "993 or STARTTLS on 143" : "995 or STLS on 110")}).");
            case "PlainTextLogin":
            case "PlainTextAuthentication":
                return new Finding(CheckStatus.Warning, MapiHttpCause.Authentication,
                    $"{MailJudgement.Text(protocol)} on {facts.Server}: LoginType {facts.LoginType} lets clients send passwords without TLS.",
                    $"{cmdlet} -Server {facts.Server} -LoginType SecureLogin; {MailJudgement.RestartServices(protocol, facts.Server)}");
            default:
                return new Finding(CheckStatus.Warning, MapiHttpCause.None,
                    $"{MailJudgement.Text(protocol)} on {facts.Server}: LoginType '{DisplayText.Safe(facts.LoginType ?? "(not set)", 40)}' is not one of PlainTextLogin, PlainTextAuthentication, SecureLogin.");
        }
    }

    /// <summary>A service the protocol needs: running, and set to start automatically (Exchange installs them Manual).</summary>
    public static Finding Service(ExchangeClientProtocol protocol, ServiceFacts facts, string server)
    {
        if (facts.Status is null)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.Service,
                $"{facts.Name} does not exist on {server}: it is not an Exchange 2016/2019 Mailbox server, or setup did not finish.",
                $"Get-ExchangeServer -Identity {server} | Format-List ServerRole, AdminDisplayVersion");
        }

        bool running = string.Equals(facts.Status, "Running", StringComparison.OrdinalIgnoreCase);
        bool disabled = string.Equals(facts.StartType, "Disabled", StringComparison.OrdinalIgnoreCase);
        bool automatic = string.Equals(facts.StartType, "Automatic", StringComparison.OrdinalIgnoreCase);
        string state = $"{DisplayText.Safe(facts.Status, 20)}, start type {DisplayText.Safe(facts.StartType ?? "unknown", 20)}";
        if (!running)
        {
            string why = disabled ? "is disabled" : "is stopped";
            return new Finding(CheckStatus.Fail, MapiHttpCause.Service,
                $"{facts.Name} on {server} {why} ({state}): {MailJudgement.Text(protocol)} clients {(facts.Name.EndsWith("BE", StringComparison.Ordinal) ? "connect but cannot reach their mailboxes" : "cannot connect")}.",
                MailJudgement.StartService(facts.Name, server));
        }

        if (!automatic)
        {
            return new Finding(CheckStatus.Warning, MapiHttpCause.Service,
                $"{facts.Name} on {server} runs but starts {DisplayText.Safe(facts.StartType ?? "unknown", 20)}: it stays stopped after the next restart or update.",
                MailJudgement.OnServer(server, $"Set-Service -Name {facts.Name} -StartupType Automatic"));
        }

        return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"{facts.Name} on {server}: {state}.");
    }

    /// <summary>ImapProxy/PopProxy: Active, or the front end refuses the protocol whatever the services do.</summary>
    public static Finding Component(ExchangeClientProtocol protocol, string server, string? state)
    {
        string component = MailJudgement.Component(protocol);
        if (string.Equals(state, "Active", StringComparison.OrdinalIgnoreCase))
        {
            return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"{component} on {server} is Active.");
        }

        return new Finding(CheckStatus.Fail, MapiHttpCause.Service,
            $"{component} on {server} is {DisplayText.Safe(state ?? "not reported", 20)}: the front end refuses {MailJudgement.Text(protocol)} (after maintenance or an update that did not end it).",
            $"Set-ServerComponentState -Identity {server} -Component {component} -State Active -Requester HealthApi; Get-ServerComponentState -Identity {server} -Component {component} | Format-List State, LocalStates, RemoteStates");
    }

    /// <summary>ImapEnabled/PopEnabled of one mailbox.</summary>
    public static Finding Mailbox(ExchangeClientProtocol protocol, string mailbox, bool? enabled)
    {
        string property = MailJudgement.EnabledProperty(protocol);
        string safe = DisplayText.Safe(mailbox, 120);
        return enabled switch
        {
            true => new Finding(CheckStatus.Pass, MapiHttpCause.None, $"{property} is $true for {safe}."),
            false => new Finding(CheckStatus.Fail, MapiHttpCause.NotEnabled,
                $"{property} is $false for {safe}: the mailbox authenticates but {MailJudgement.Text(protocol)} refuses it (\"User is authenticated but not connected\").",
                $"Set-CASMailbox -Identity '{safe.Replace("'", "''")}' -{property} $true"),
            null => new Finding(CheckStatus.Warning, MapiHttpCause.None, $"Get-CASMailbox did not report {property} for {safe}."),
        };
    }
}
