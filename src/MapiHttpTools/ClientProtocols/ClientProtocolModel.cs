using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using MapiHttpTools.Probing;

namespace MapiHttpTools.ClientProtocols;

/// <summary>How a client protocol's address is secured: TLS from the first byte (993/995) or upgraded in-band (143/110).</summary>
public enum MailSecurity
{
    /// <summary>Implicit TLS: imaps (993), pops (995).</summary>
    Tls,

    /// <summary>STARTTLS (IMAP4, 143) or STLS (POP3, 110) after the greeting.</summary>
    StartTls,
}

/// <summary>One URL to probe: imaps://, imap://, pops:// or pop://, with the Exchange server it belongs to when known.</summary>
internal sealed class MailTarget
{
    public MailTarget(ExchangeClientProtocol protocol, MailSecurity security, string host, int port, string uri, string? server)
    {
        Protocol = protocol;
        Security = security;
        Host = host;
        Port = port;
        Uri = uri;
        Server = server;
    }

    public ExchangeClientProtocol Protocol { get; }

    public MailSecurity Security { get; }

    public string Host { get; }

    public int Port { get; }

    /// <summary>The URL as the result shows it, with the port: imaps://mail.contoso.com:993.</summary>
    public string Uri { get; }

    public string? Server { get; }

    /// <summary>
    /// Parses imaps/imap/pops/pop URLs (issue 16); the port defaults to 993/143/995/110. Null with the reason when the
    /// text is not one of them.
    /// </summary>
    public static MailTarget? Parse(string text, string? server, out string? error)
    {
        error = null;
        if (!System.Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host))
        {
            error = $"'{text}' is not an absolute URL. Pass imaps://mail.contoso.com, imap://mail.contoso.com, pops://mail.contoso.com or pop://mail.contoso.com (a port may follow the name).";
            return null;
        }

        (ExchangeClientProtocol Protocol, MailSecurity Security, int Port)? kind = uri.Scheme.ToLowerInvariant() switch
        {
            "imaps" => (ExchangeClientProtocol.Imap4, MailSecurity.Tls, 993),
            "imap" => (ExchangeClientProtocol.Imap4, MailSecurity.StartTls, 143),
            "pops" or "pop3s" => (ExchangeClientProtocol.Pop3, MailSecurity.Tls, 995),
            "pop" or "pop3" => (ExchangeClientProtocol.Pop3, MailSecurity.StartTls, 110),
            _ => null,
        };
        if (kind is not { } k)
        {
            error = $"'{text}' uses the scheme '{uri.Scheme}'. Client protocol URLs are imaps:// (993), imap:// (143, STARTTLS), pops:// (995) or pop:// (110, STLS).";
            return null;
        }

        int port = uri.Port > 0 ? uri.Port : k.Port;
        string scheme = k.Protocol == ExchangeClientProtocol.Imap4 ? (k.Security == MailSecurity.Tls ? "imaps" : "imap") : (k.Security == MailSecurity.Tls ? "pops" : "pop");
        string host = uri.DnsSafeHost;
        string hostText = uri.HostNameType == UriHostNameType.IPv6 ? "[" + host + "]" : host;
        return new MailTarget(k.Protocol, k.Security, host, port, $"{scheme}://{hostText}:{port.ToString(CultureInfo.InvariantCulture)}", server);
    }

    /// <summary>The default URLs of one protocol on one computer: implicit TLS first, then STARTTLS.</summary>
    public static IEnumerable<string> DefaultUrls(string computerName, ExchangeClientProtocol protocol) => protocol == ExchangeClientProtocol.Imap4
        ? new[] { $"imaps://{computerName}:993", $"imap://{computerName}:143" }
        : new[] { $"pops://{computerName}:995", $"pop://{computerName}:110" };

    /// <summary>The protocol's name as Exchange and admins say it.</summary>
    public string ProtocolText => Protocol == ExchangeClientProtocol.Imap4 ? "IMAP4" : "POP3";
}

internal sealed class MailProbeOptions
{
    /// <summary>Addresses to connect to instead of what the host resolves to (SNI keeps the URL's host).</summary>
    public IReadOnlyList<string>? TargetAddresses { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    public int CertificateExpiryWarningDays { get; init; } = 30;

    public bool SkipCertificateCheck { get; init; }

    /// <summary>Sent only inside TLS with a validated certificate, unless <see cref="AllowUnencryptedAuthentication"/>.</summary>
    public NetworkCredential? Credential { get; init; }

    /// <summary>The admin's explicit consent to send the credential without TLS or to an unvalidated certificate.</summary>
    public bool AllowUnencryptedAuthentication { get; init; }

    public IHostResolver Resolver { get; init; } = DnsHostResolver.Instance;
}

/// <summary>The steps of one address, in order; the values are the results' Check names.</summary>
internal static class MailSteps
{
    public const string Dns = "Dns";
    public const string TcpConnect = "TcpConnect";
    public const string Tls = "Tls";
    public const string Greeting = "Greeting";
    public const string Capability = "Capability";
    public const string PlainTextLogin = "PlainTextLogin";
    public const string StartTls = "StartTls";
    public const string Login = "Login";
    public const string Logout = "Logout";
}
