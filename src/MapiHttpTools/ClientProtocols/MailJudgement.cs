using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.ClientProtocols;

/// <summary>What one IMAP4/POP3 login answered: accepted or not, and the server's text (escaped before display).</summary>
internal sealed record LoginFacts(bool Accepted, string? ResponseText, bool Closed);

/// <summary>
/// The IMAP4/POP3 probe's judgement (issue 16): pure functions from the facts of one address to findings, as
/// <see cref="ProbeJudgement"/> does for MAPI/HTTP; the TLS judgement is the MAPI probe's own. Server text goes through
/// <see cref="DisplayText.Safe"/>. Commands name the Exchange services (MSExchangeIMAP4/MSExchangePOP3 and their BE
/// services), settings cmdlets and component states that serve the protocol.
/// </summary>
internal static class MailJudgement
{
    /// <summary>Exchange's own answer when a mailbox authenticates but has the protocol off (ImapEnabled/PopEnabled $false).</summary>
    public const string NotConnectedText = "authenticated but not connected";

    public static string FrontEndService(ExchangeClientProtocol protocol) => protocol == ExchangeClientProtocol.Imap4 ? "MSExchangeIMAP4" : "MSExchangePOP3";

    public static string BackEndService(ExchangeClientProtocol protocol) => FrontEndService(protocol) + "BE";

    public static string SettingsCmdlet(ExchangeClientProtocol protocol) => protocol == ExchangeClientProtocol.Imap4 ? "Set-ImapSettings" : "Set-PopSettings";

    public static string Component(ExchangeClientProtocol protocol) => protocol == ExchangeClientProtocol.Imap4 ? "ImapProxy" : "PopProxy";

    public static string EnabledProperty(ExchangeClientProtocol protocol) => protocol == ExchangeClientProtocol.Imap4 ? "ImapEnabled" : "PopEnabled";

    public static string Text(ExchangeClientProtocol protocol) => protocol == ExchangeClientProtocol.Imap4 ? "IMAP4" : "POP3";

    /// <summary>Restarts both services of a protocol (Exchange reads Set-ImapSettings/Set-PopSettings only at start).</summary>
    public static string RestartServices(ExchangeClientProtocol protocol, string? server) =>
        OnServer(server, $"Restart-Service {FrontEndService(protocol)}, {BackEndService(protocol)}");

    /// <summary>Sets a stopped or disabled service to start automatically and starts it, on the named server.</summary>
    public static string StartService(string service, string? server) =>
        OnServer(server, $"Set-Service -Name {service} -StartupType Automatic; Start-Service -Name {service}");

    public static string OnServer(string? server, string command) =>
        server is null ? $"On the Exchange server: {command}" : $"Invoke-Command -ComputerName {server} -ScriptBlock {{ {command} }}";

    /// <summary>The certificate use for <see cref="ProbeJudgement.Tls"/>: IMAP/POP clients, and the X509CertificateName fix.</summary>
    public static CertificateUse CertificateUse(ExchangeClientProtocol protocol, string host) => new(
        $"{Text(protocol)} clients",
        $"{Text(protocol)} traffic",
        protocol == ExchangeClientProtocol.Imap4 ? "IMAP" : "POP",
        server => $"{SettingsCmdlet(protocol)} -Server {server} -X509CertificateName {host}; {RestartServices(protocol, server == "<server>" ? null : server)}");

    /// <summary>The TCP connection failed: refused (the service is stopped, or a firewall rejects) or no answer (dropped).</summary>
    public static Finding Connect(ExchangeClientProtocol protocol, string label, int port, bool timedOut, bool refused, string error, TimeSpan timeout, string? server)
    {
        string what = timedOut ? $"no answer within {timeout.TotalSeconds:0} s (dropped by a firewall, or nothing at that address)"
            : refused ? "connection refused (nothing listens on that port: the service is stopped, or a firewall rejects it)"
            : error;
        string services = $"{FrontEndService(protocol)}, {BackEndService(protocol)}";
        return new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"TCP connect to {label}:{port} for {Text(protocol)} failed: {what}.",
            $"{OnServer(server, $"Get-Service -Name {services} | Select-Object Name, Status, StartType")} (Exchange installs them Manual and stopped: {StartService(FrontEndService(protocol), server)}); then Windows Firewall on the server and the firewalls and load balancer in front of port {port}.");
    }

    /// <summary>The greeting: IMAP4 "* OK"/"* PREAUTH"/"* BYE", POP3 "+OK"/"-ERR"; nothing at all within the timeout is a hung service or a device.</summary>
    public static Finding Greeting(ExchangeClientProtocol protocol, string? line, bool timedOut, TimeSpan timeout, string label, string? server)
    {
        if (line is null)
        {
            string reason = timedOut
                ? $"{label} accepted the connection but sent no {Text(protocol)} greeting within {timeout.TotalSeconds:0} s"
                : $"{label} closed the connection without a {Text(protocol)} greeting";
            return new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                $"{reason}: the {Text(protocol)} front end hangs, its back end ({BackEndService(protocol)}) is unavailable, or a device on the path answers instead (a load balancer without healthy members, a port expecting TLS).",
                $"{RestartServices(protocol, server)}; check that {Component(protocol)} is Active (Get-ServerComponentState -Identity {server ?? "<server>"} -Component {Component(protocol)}) and what listens on the port.");
        }

        string safe = DisplayText.Safe(line, 120);
        bool ok = protocol == ExchangeClientProtocol.Imap4
            ? line.StartsWith("* OK", StringComparison.OrdinalIgnoreCase) || line.StartsWith("* PREAUTH", StringComparison.OrdinalIgnoreCase)
            : line.StartsWith("+OK", StringComparison.Ordinal);
        if (ok)
        {
            return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"{Text(protocol)} greeting: {safe}");
        }

        return new Finding(CheckStatus.Fail, MapiHttpCause.Service,
            $"{label} refuses {Text(protocol)} sessions in its greeting: {safe}",
            $"Get-ServerComponentState -Identity {server ?? "<server>"} -Component {Component(protocol)}; if it is Inactive: Set-ServerComponentState -Identity {server ?? "<server>"} -Component {Component(protocol)} -State Active -Requester HealthApi; {RestartServices(protocol, server)}");
    }

    /// <summary>The capability list: informative, a Warning only when the server would not tell.</summary>
    public static Finding Capability(ExchangeClientProtocol protocol, IReadOnlyList<string>? capabilities, bool secured)
    {
        string where = secured ? "inside TLS" : "before TLS";
        if (capabilities is null)
        {
            return new Finding(CheckStatus.Warning, MapiHttpCause.None,
                $"The server did not list its {Text(protocol)} capabilities {where} ({(protocol == ExchangeClientProtocol.Imap4 ? "CAPABILITY" : "CAPA")} refused); clients that rely on them may fail.");
        }

        return new Finding(CheckStatus.Pass, MapiHttpCause.None,
            $"{Text(protocol)} capabilities {where}: {DisplayText.Safe(string.Join(" ", capabilities), 200)}");
    }

    /// <summary>True when the capabilities before TLS let a client send its password in clear.</summary>
    public static bool OffersPlainTextLogin(ExchangeClientProtocol protocol, IReadOnlyList<string> capabilities)
    {
        if (protocol == ExchangeClientProtocol.Imap4)
        {
            bool loginDisabled = capabilities.Contains("LOGINDISABLED", StringComparer.OrdinalIgnoreCase);
            bool plainSasl = capabilities.Any(c => c.Equals("AUTH=PLAIN", StringComparison.OrdinalIgnoreCase) || c.Equals("AUTH=LOGIN", StringComparison.OrdinalIgnoreCase));
            return !loginDisabled || plainSasl;
        }

        return capabilities.Any(c => c.Equals("USER", StringComparison.OrdinalIgnoreCase)) ||
               capabilities.Any(c => c.StartsWith("SASL ", StringComparison.OrdinalIgnoreCase) &&
                                     c.Split(' ').Skip(1).Any(m => m.Equals("PLAIN", StringComparison.OrdinalIgnoreCase) || m.Equals("LOGIN", StringComparison.OrdinalIgnoreCase)));
    }

    public static bool OffersStartTls(ExchangeClientProtocol protocol, IReadOnlyList<string> capabilities) =>
        capabilities.Contains(protocol == ExchangeClientProtocol.Imap4 ? "STARTTLS" : "STLS", StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Before TLS on 143/110: plain-text login offered is a Warning (LoginType PlainTextLogin); refused without STARTTLS
    /// is a Fail, because no client can log in on that port (LoginType SecureLogin with no certificate for the service).
    /// </summary>
    public static Finding PlainTextLogin(ExchangeClientProtocol protocol, IReadOnlyList<string> capabilities, string host, string? server)
    {
        bool plain = OffersPlainTextLogin(protocol, capabilities);
        bool startTls = OffersStartTls(protocol, capabilities);
        string verb = protocol == ExchangeClientProtocol.Imap4 ? "STARTTLS" : "STLS";
        string serverText = server ?? "<server>";
        if (plain)
        {
            return new Finding(CheckStatus.Warning, MapiHttpCause.Authentication,
                $"{Text(protocol)} offers plain-text login before TLS: a client that does not use {verb} sends the password in clear (LoginType PlainTextLogin).",
                $"{SettingsCmdlet(protocol)} -Server {serverText} -LoginType SecureLogin; {RestartServices(protocol, server)}");
        }

        if (!startTls)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.Certificate,
                $"{Text(protocol)} demands TLS before login but does not offer {verb}: no client can log in on this port (Exchange offers {verb} only with a certificate for the service).",
                $"{SettingsCmdlet(protocol)} -Server {serverText} -X509CertificateName {host}; Enable-ExchangeCertificate -Server {serverText} -Thumbprint <thumbprint> -Services {(protocol == ExchangeClientProtocol.Imap4 ? "IMAP" : "POP")}; {RestartServices(protocol, server)}; or point clients at the implicit-TLS port ({(protocol == ExchangeClientProtocol.Imap4 ? 993 : 995)}).");
        }

        return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"Plain-text login is not offered before TLS; {verb} is offered.");
    }

    /// <summary>The STARTTLS/STLS command's answer.</summary>
    public static Finding StartTls(ExchangeClientProtocol protocol, bool accepted, string? response, string host, string? server)
    {
        string verb = protocol == ExchangeClientProtocol.Imap4 ? "STARTTLS" : "STLS";
        if (accepted)
        {
            return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"{verb} accepted: {DisplayText.Safe(response ?? string.Empty, 120)}");
        }

        return new Finding(CheckStatus.Fail, MapiHttpCause.Certificate,
            $"{verb} was refused: {DisplayText.Safe(response ?? "no answer", 120)}; Exchange refuses it when it has no certificate for {Text(protocol)}.",
            $"{SettingsCmdlet(protocol)} -Server {server ?? "<server>"} -X509CertificateName {host}; {RestartServices(protocol, server)}");
    }

    /// <summary>
    /// The login with -Credential. Exchange answers "User is authenticated but not connected." when the mailbox has the
    /// protocol off (NotEnabled, with the Set-CASMailbox fix); other refusals are Authentication.
    /// </summary>
    public static Finding Login(ExchangeClientProtocol protocol, LoginFacts facts, string user, string? server)
    {
        string text = DisplayText.Safe(facts.ResponseText ?? (facts.Closed ? "the server closed the connection" : "no answer"), 160);
        string userText = DisplayText.Safe(user, 80);
        if (facts.Accepted)
        {
            return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"{Text(protocol)} login as {userText} succeeded: {text}");
        }

        if (facts.ResponseText is { } response && response.IndexOf(NotConnectedText, StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.NotEnabled,
                $"{userText} authenticated but {Text(protocol)} is off for the mailbox ({EnabledProperty(protocol)} $false): {text}",
                $"Set-CASMailbox -Identity {PowerShellQuote(user)} -{EnabledProperty(protocol)} $true");
        }

        return new Finding(CheckStatus.Fail, MapiHttpCause.Authentication,
            $"{Text(protocol)} login as {userText} was refused: {text}",
            $"Check the user name (UPN or DOMAIN\\user), the password and that the account is not locked; then the mailbox: Get-CASMailbox -Identity {PowerShellQuote(user)} | Format-List {EnabledProperty(protocol)}, *Protocol*; and {SettingsCmdlet(protocol).Replace("Set-", "Get-")} -Server {server ?? "<server>"} | Format-List LoginType");
    }

    public static Finding Logout(ExchangeClientProtocol protocol, bool clean, string? response) => clean
        ? new Finding(CheckStatus.Pass, MapiHttpCause.None, $"{Text(protocol)} logout answered: {DisplayText.Safe(response ?? string.Empty, 120)}")
        : new Finding(CheckStatus.Warning, MapiHttpCause.None, $"{Text(protocol)} logout did not end cleanly: {DisplayText.Safe(response ?? "no answer", 120)}");

    /// <summary>A protocol violation or a failure mid-session (line too long, closed, reset).</summary>
    public static Finding Broken(ExchangeClientProtocol protocol, string step, string error, bool timedOut, TimeSpan timeout, string label) => new(CheckStatus.Fail, MapiHttpCause.Network,
        timedOut ? $"{step}: {label} did not answer within {timeout.TotalSeconds:0} s." : $"{step}: {DisplayText.Safe(error)}",
        $"Check what answers {Text(protocol)} at {label}: a load balancer, proxy or TLS-inspection device between client and Exchange must pass the protocol through unchanged.");

    /// <summary>A user name as a PowerShell single-quoted literal (it reaches a command).</summary>
    private static string PowerShellQuote(string text) => "'" + DisplayText.Safe(text, 120).Replace("'", "''") + "'";
}
