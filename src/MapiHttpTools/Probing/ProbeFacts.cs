using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Authentication;
using System.Text.RegularExpressions;

namespace MapiHttpTools.Probing;

/// <summary>What one judgement concluded: the result's status, cause and text (issue 12: facts in, findings out).</summary>
internal sealed record Finding(CheckStatus Status, MapiHttpCause Cause, string Message, string? Recommendation = null);

/// <summary>What the owa/ews health pages said when /mapi's did not answer 200 OK.</summary>
internal enum FrontEndComparison
{
    /// <summary>The other health pages were not read.</summary>
    NotCompared,

    /// <summary>At least one other health page answered 200: only /mapi fails on this front end.</summary>
    MapiOnly,

    /// <summary>No other health page answered 200: the whole front end (or what answers for it) fails.</summary>
    FrontEndWide,
}

/// <summary>One HTTP exchange as the transport saw it: the response, or the error and whether the timeout ended it.</summary>
internal sealed record HttpExchange(WireResponse? Response, Exception? Error, bool TimedOut);

/// <summary>
/// Who the probe is talking to, for messages and commands. A server is named only when the probe target knows its
/// Exchange server (a piped virtual directory's Server); otherwise text says "the server behind 10.0.0.11" and never
/// puts a namespace or an address where a server name belongs (issue 11, "one server, one name").
/// </summary>
internal sealed record ProbeSubject(string Host, string Label, int Port, string? KnownServer, string? Identity)
{
    /// <summary>The server in prose: its Exchange name, or what is honestly known.</summary>
    public string ServerText => KnownServer ?? $"the server behind {Label}";

    /// <summary>The -Identity for Set-MapiVirtualDirectory: the piped one, else the known server's default vdir.</summary>
    public string IdentityForCommand => Identity ?? (KnownServer is not null ? $"{KnownServer}\\mapi (Default Web Site)" : "<Server>\\mapi (Default Web Site)");

    /// <summary>A command that must run on the server itself (IIS cmdlets): remoted to a known server, else said where.</summary>
    public string OnServer(string command) =>
        KnownServer is { } server ? $"Invoke-Command -ComputerName {server} -ScriptBlock {{ {command} }}" : $"On the server behind {Label}: {command}";

    /// <summary>Get-MapiAppPoolHealth for this server.</summary>
    public string AppPoolHealth => KnownServer is { } server ? $"Get-MapiAppPoolHealth -ComputerName {server}" : $"On the server behind {Label}: Get-MapiAppPoolHealth";

    /// <summary><see cref="AppPoolHealth"/> for the middle of a sentence.</summary>
    public string AppPoolHealthInSentence => KnownServer is { } server ? $"Get-MapiAppPoolHealth -ComputerName {server}" : $"on the server behind {Label}, Get-MapiAppPoolHealth";
}

/// <summary>
/// Who uses a certificate, for <see cref="ProbeJudgement.Tls"/>: the MAPI probe's defaults (Outlook, /mapi, IIS) or the
/// IMAP4/POP3 probe's (issue 16: the same judgement, the fix names the IMAP/POP service and its settings cmdlet).
/// </summary>
/// <param name="Clients">Who rejects a bad certificate ("IMAP4 clients").</param>
/// <param name="Traffic">What a device on the path cuts ("IMAP4 traffic").</param>
/// <param name="ExchangeServices">Enable-ExchangeCertificate -Services value (IIS, IMAP, POP).</param>
/// <param name="ThenFix">The step after binding, given the server text (Set-ImapSettings -X509CertificateName ...).</param>
internal sealed record CertificateUse(string Clients, string Traffic, string ExchangeServices, Func<string, string>? ThenFix);

/// <summary>What the TLS handshake produced, for <see cref="ProbeJudgement.Tls"/>.</summary>
internal sealed record TlsFacts(bool Completed, SslProtocols Protocol, CertificateFacts? Certificate, Exception? Error, bool Reset);

/// <summary>What the authenticated PING produced, for <see cref="ProbeJudgement.Ping"/>.</summary>
/// <param name="StatusCode">The final HTTP status.</param>
/// <param name="ResponseCode">X-ResponseCode of the final response, as sent.</param>
/// <param name="ServerApplication">X-ServerApplication, as sent.</param>
/// <param name="SchemeSent">The scheme of the Authorization header that went out; null when no credential was sent.</param>
/// <param name="SchemeKnown">False when the platform sent credentials without telling which scheme (SSPI on .NET Framework).</param>
/// <param name="AnonymousOffered">The schemes the anonymous challenge offered.</param>
/// <param name="FinalOffered">The schemes of the final response's WWW-Authenticate.</param>
internal sealed record PingFacts(
    int StatusCode,
    string? ResponseCode,
    string? ServerApplication,
    string? SchemeSent,
    bool SchemeKnown,
    IReadOnlyList<string> AnonymousOffered,
    IReadOnlyList<string> FinalOffered,
    bool AnsweredByHttpSys);

/// <summary>Server-supplied names that may go into a command only when they look like a host name (issue 20).</summary>
internal static class ServerNames
{
    private static readonly Regex HostName = new("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$", RegexOptions.CultureInvariant);

    /// <summary><paramref name="text"/> when it is a plain host name, else null: a hostile header never becomes part of a command.</summary>
    public static string? AsHostName(string? text) => text is { Length: > 0 and <= 253 } && HostName.IsMatch(text) ? text : null;

    public static bool IsHttpSys(WireResponse response) =>
        response.Header("Server") is { } server && server.StartsWith("Microsoft-HTTPAPI/", StringComparison.OrdinalIgnoreCase);

    public static bool IsWindowsScheme(string scheme) =>
        string.Equals(scheme, "Negotiate", StringComparison.OrdinalIgnoreCase) || string.Equals(scheme, "NTLM", StringComparison.OrdinalIgnoreCase);

    public static IReadOnlyList<string> WindowsSchemes(IEnumerable<string> offered) => offered.Where(IsWindowsScheme).ToArray();
}
