using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Security;
using System.Security.Authentication;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Probing;

/// <summary>One X-ResponseCode of MS-OXCMAPIHTTP 2.2.2.2.3 and what it means for the PING's verdict.</summary>
internal sealed record ResponseCodeRule(int Code, string Name, CheckStatus Status, MapiHttpCause Cause, string Meaning);

/// <summary>One HTTP status the probe can meet where Exchange would answer otherwise, and what it points to.</summary>
internal sealed record HttpStatusRule(int Status, MapiHttpCause Cause, MapiHttpCause CauseWhenFrontEndWide, string Meaning);

/// <summary>
/// The probe's judgement: pure functions from the facts the transport gathered to findings (issue 12). Nothing here
/// touches a socket, a clock or a server; text from servers goes through <see cref="DisplayText.Safe"/> (issue 20).
/// </summary>
internal static class ProbeJudgement
{
    public const string FrontEndPool = "MSExchangeMapiFrontEndAppPool";
    public const string MailboxPool = "MSExchangeMapiMailboxAppPool";
    public const string AddressBookPool = "MSExchangeMapiAddressBookAppPool";

    /// <summary>Every X-ResponseCode 0-18. A PING the probe sends is well formed, so codes about a malformed request mean something on the path changed it.</summary>
    public static readonly IReadOnlyDictionary<int, ResponseCodeRule> ResponseCodes = new[]
    {
        new ResponseCodeRule(0, "Success", CheckStatus.Pass, MapiHttpCause.None, "the request succeeded"),
        new ResponseCodeRule(1, "Unknown Failure", CheckStatus.Fail, MapiHttpCause.AppPool, "the MAPI application on the server failed"),
        new ResponseCodeRule(2, "Invalid Verb", CheckStatus.Fail, MapiHttpCause.Network, "the server saw another verb than the POST the probe sent: something on the path rewrote it"),
        new ResponseCodeRule(3, "Invalid Path", CheckStatus.Fail, MapiHttpCause.Network, "the server saw another path than the probe sent: something on the path rewrote it"),
        new ResponseCodeRule(4, "Invalid Header", CheckStatus.Fail, MapiHttpCause.Network, "a header arrived changed (Content-Type application/mapi-http): something on the path rewrote it"),
        new ResponseCodeRule(5, "Invalid Request Type", CheckStatus.Fail, MapiHttpCause.Network, "X-RequestType arrived changed: something on the path rewrote it"),
        new ResponseCodeRule(6, "Invalid Context Cookie", CheckStatus.Fail, MapiHttpCause.Network, "the session cookie arrived changed: a load balancer or proxy alters cookies"),
        new ResponseCodeRule(7, "Missing Header", CheckStatus.Fail, MapiHttpCause.Network, "a MAPI/HTTP header the probe sent did not arrive: something on the path strips X- headers"),
        new ResponseCodeRule(8, "Anonymous Not Allowed", CheckStatus.Fail, MapiHttpCause.Authentication, "the request reached MAPI without an authenticated user"),
        new ResponseCodeRule(9, "Too Large", CheckStatus.Fail, MapiHttpCause.Network, "the server saw a larger request than the empty PING the probe sent: something on the path changed it"),
        new ResponseCodeRule(10, "Context Not Found", CheckStatus.Fail, MapiHttpCause.Network, "the server lost the session: a load balancer without persistence sends requests to another server"),
        new ResponseCodeRule(11, "No Privilege", CheckStatus.Fail, MapiHttpCause.Authentication, "the account may not use this mailbox or MAPI"),
        new ResponseCodeRule(12, "Invalid Request Body", CheckStatus.Fail, MapiHttpCause.Network, "the body arrived changed: something on the path rewrote it"),
        new ResponseCodeRule(13, "Missing Cookie", CheckStatus.Fail, MapiHttpCause.Network, "a session cookie did not arrive: a load balancer or proxy strips cookies"),
        new ResponseCodeRule(14, "Reserved", CheckStatus.Error, MapiHttpCause.None, "MS-OXCMAPIHTTP reserves code 14 and a client ignores it; Exchange does not send it"),
        new ResponseCodeRule(15, "Invalid Sequence", CheckStatus.Fail, MapiHttpCause.Network, "requests arrived out of sequence: a load balancer without persistence splits the session"),
        new ResponseCodeRule(16, "Endpoint Disabled", CheckStatus.Fail, MapiHttpCause.AppPool, "the MAPI endpoint is disabled on the server"),
        new ResponseCodeRule(17, "Invalid Response", CheckStatus.Fail, MapiHttpCause.AppPool, "the MAPI application on the server produced an invalid response"),
        new ResponseCodeRule(18, "Endpoint Shutting Down", CheckStatus.Fail, MapiHttpCause.AppPool, "the MAPI application pool is recycling or stopping"),
    }.ToDictionary(r => r.Code);

    /// <summary>HTTP statuses on the health page and on /mapi/emsmdb and /mapi/nspi where Exchange would answer 200 (or 401).</summary>
    public static readonly IReadOnlyDictionary<int, HttpStatusRule> HttpStatuses = new[]
    {
        new HttpStatusRule(401, MapiHttpCause.Network, MapiHttpCause.Network, "a reverse proxy or load balancer in front demands authentication where Exchange does not"),
        new HttpStatusRule(403, MapiHttpCause.Network, MapiHttpCause.Network, "something refuses the request: a reverse proxy rule, an IP restriction, or IIS requiring TLS (403.4 for an http URL)"),
        new HttpStatusRule(404, MapiHttpCause.VirtualDirectory, MapiHttpCause.Network, "the /mapi virtual directory is missing in IIS or not published"),
        new HttpStatusRule(407, MapiHttpCause.Network, MapiHttpCause.Network, "a proxy on the path demands proxy authentication"),
        new HttpStatusRule(500, MapiHttpCause.AppPool, MapiHttpCause.Network, "the MAPI application fails on the server"),
        new HttpStatusRule(502, MapiHttpCause.Network, MapiHttpCause.Network, "a load balancer or reverse proxy on the path could not get an answer from the Exchange server behind it (Bad Gateway)"),
        new HttpStatusRule(503, MapiHttpCause.AppPool, MapiHttpCause.Network, "the MAPI application pool is stopped or failing"),
        new HttpStatusRule(504, MapiHttpCause.Network, MapiHttpCause.Network, "a load balancer or reverse proxy on the path timed out waiting for the Exchange server behind it (Gateway Timeout)"),
    }.ToDictionary(r => r.Status);

    /// <summary>
    /// What the other health pages (owa, ews: status, or null without an answer) say about the front end: one 200 is
    /// enough to show the front end itself alive, so /mapi alone fails; none means the whole front end fails.
    /// </summary>
    public static FrontEndComparison Compare(IReadOnlyDictionary<string, int?> otherHealthPages) =>
        otherHealthPages.Count == 0 ? FrontEndComparison.NotCompared
        : otherHealthPages.Values.Any(v => v == 200) ? FrontEndComparison.MapiOnly
        : FrontEndComparison.FrontEndWide;

    public static string Describe(FrontEndComparison comparison) => comparison switch
    {
        FrontEndComparison.MapiOnly => "OWA/EWS on the same front end answer 200",
        FrontEndComparison.FrontEndWide => "OWA and EWS fail on this front end too",
        _ => "other protocols were not compared",
    };

    /// <summary>The pool that serves <paramref name="endpoint"/> ("healthcheck", "emsmdb", "nspi") when the application itself answered.</summary>
    public static string PoolFor(string endpoint, bool answeredByHttpSys) =>
        answeredByHttpSys ? FrontEndPool : endpoint switch
        {
            "emsmdb" => MailboxPool,
            "nspi" => AddressBookPool,
            _ => FrontEndPool,
        };

    /// <summary>
    /// A status Exchange does not send for <paramref name="what"/>. <paramref name="backEnd"/> is X-BEServer when it
    /// was a plain host name. HTTP.sys answering 503 itself means the pool is stopped (start it); the application
    /// answering 503 or 500 means it runs and fails (restart it).
    /// </summary>
    public static Finding HttpFailure(int status, string what, string endpoint, bool answeredByHttpSys, FrontEndComparison comparison, string? backEnd, ProbeSubject subject)
    {
        bool frontEndWide = comparison == FrontEndComparison.FrontEndWide;
        string others = Describe(comparison);
        if (!HttpStatuses.TryGetValue(status, out HttpStatusRule? rule))
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                $"{what} answers {status}, which Exchange does not send here: something on the path answers instead.",
                $"Check the load balancer or reverse proxy rules for /mapi/* in front of {subject.Label}: they must pass MAPI/HTTP through to Exchange.");
        }

        MapiHttpCause cause = frontEndWide ? rule.CauseWhenFrontEndWide : rule.Cause;
        if (cause == MapiHttpCause.Network && frontEndWide && (status == 500 || status == 503 || status == 404))
        {
            string wide = status == 404
                ? $"{what} answers 404, and {others}: this address does not route to an Exchange front end."
                : $"{what} answers {status}, and {others}: all protocols on this front end fail, not a MAPI/HTTP handler problem (the front end is down, or a load balancer/proxy answers for it).";
            string check = subject.KnownServer is { } known
                ? $"Get-ServerComponentState -Identity {known} | Where-Object State -ne Active"
                : $"Check what answers at {subject.Label} (load balancer virtual server, reverse proxy publishing rules), then Get-ServerComponentState -Identity <server> on the Exchange server behind it";
            return new Finding(CheckStatus.Fail, MapiHttpCause.Network, wide, check);
        }

        switch (status)
        {
            case 503 when answeredByHttpSys:
                return new Finding(CheckStatus.Fail, MapiHttpCause.AppPool,
                    $"{what} answers 503 from HTTP.sys itself (Server: Microsoft-HTTPAPI/2.0) while {others}: the MAPI application pool {FrontEndPool} is stopped.",
                    subject.OnServer($"Start-WebAppPool -Name {FrontEndPool}"));
            case 503:
            case 500:
            {
                string pool = PoolFor(endpoint, answeredByHttpSys);
                bool backEndPool = pool != FrontEndPool;
                string where = backEndPool
                    ? backEnd is not null ? $"Invoke-Command -ComputerName {backEnd} -ScriptBlock {{ Restart-WebAppPool -Name {pool} }}" : $"On the mailbox server that {subject.ServerText} proxies to: Restart-WebAppPool -Name {pool}"
                    : subject.OnServer($"Restart-WebAppPool -Name {pool}");
                string health = backEndPool && backEnd is not null ? $"Get-MapiAppPoolHealth -ComputerName {backEnd}" : subject.AppPoolHealth;
                string running = status == 503
                    ? $"the application answered 503 itself, so {pool} runs but fails (crashing, recycling, or its back end unavailable)"
                    : $"the MAPI application fails on the server ({pool})";
                return new Finding(CheckStatus.Fail, MapiHttpCause.AppPool, $"{what} answers {status} while {others}: {running}.", $"{health}; {where}");
            }

            case 404:
                return new Finding(CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                    $"{what} answers 404 while {others}: {rule.Meaning}.",
                    subject.KnownServer is { } server
                        ? $"Get-MapiVirtualDirectory -Server {server} | Format-List Identity,InternalUrl,ExternalUrl; if it is missing in IIS: Repair-MapiVirtualDirectory -Server {server} -Recreate -Force (backs up first)"
                        : $"Find the Exchange server behind {subject.Label}, then: Get-MapiVirtualDirectory -Server <server> | Format-List Identity,InternalUrl,ExternalUrl; if it is missing in IIS: Repair-MapiVirtualDirectory -Server <server> -Recreate -Force (backs up first)");
            case 401:
            case 403:
            case 407:
                return new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                    $"{what} answers {status} to a request Exchange answers without that: {rule.Meaning}.",
                    "Check pre-authentication and access rules on the reverse proxy or load balancer for /mapi/* (MAPI/HTTP must be passed through).");
            default:
                return new Finding(CheckStatus.Fail, cause, $"{what} answers {status}: {rule.Meaning}.",
                    $"Check the load balancer or reverse proxy in front of {subject.Label}: the health of its pool members and its timeouts for /mapi/* (MAPI/HTTP holds NotificationWait requests open for minutes).");
        }
    }

    /// <summary>GET /mapi/healthcheck.htm: 200 with "200 OK&lt;br/&gt;SERVER" is Exchange's page; anything else is judged with the other health pages.</summary>
    public static Finding HealthCheck(int status, string body, bool answeredByHttpSys, FrontEndComparison comparison, ProbeSubject subject)
    {
        string trimmed = body.Trim();
        if (status == 200 && trimmed.StartsWith("200 OK", StringComparison.OrdinalIgnoreCase))
        {
            string? server = HealthCheckServer(trimmed);
            return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"The MAPI health page answers 200 OK{(server is null ? string.Empty : " from " + DisplayText.Safe(server))}.");
        }

        if (status == 200)
        {
            return new Finding(CheckStatus.Warning, MapiHttpCause.Network,
                $"/mapi/healthcheck.htm answers 200 but not with Exchange's health page ('{DisplayText.Safe(trimmed, 60)}'): something other than Exchange answers, e.g. a load balancer or proxy page.",
                "Check the load balancer or reverse proxy rules for /mapi/*: they must pass requests through to Exchange.");
        }

        return HttpFailure(status, "/mapi/healthcheck.htm", "healthcheck", answeredByHttpSys, comparison, null, subject);
    }

    /// <summary>The server name of Exchange's health page body ("200 OK&lt;br/&gt;EX01.contoso.com"), as sent (escape before display).</summary>
    public static string? HealthCheckServer(string body)
    {
        string trimmed = body.Trim();
        if (!trimmed.StartsWith("200 OK", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        int br = trimmed.IndexOf("<br/>", StringComparison.OrdinalIgnoreCase);
        string? server = br >= 0 ? trimmed.Substring(br + 5).Trim() : null;
        return string.IsNullOrEmpty(server) ? null : server;
    }

    /// <summary>Another virtual directory's health page, read to tell a MAPI-only failure from a front-end-wide one.</summary>
    public static Finding OtherHealthCheck(string vdir, int status, string body, ProbeSubject subject)
    {
        bool healthy = status == 200 && body.TrimStart().StartsWith("200 OK", StringComparison.OrdinalIgnoreCase);
        return healthy
            ? new Finding(CheckStatus.Pass, MapiHttpCause.None, $"/{vdir}/healthcheck.htm answers 200 OK.")
            : new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"/{vdir}/healthcheck.htm answers {status}: this protocol fails too.",
                subject.KnownServer is { } server
                    ? $"Not a MAPI/HTTP problem alone: Get-ServerComponentState -Identity {server} | Where-Object State -ne Active; then IIS and the load balancer"
                    : $"Not a MAPI/HTTP problem alone: check the Exchange server behind {subject.Label} as a whole (Get-ServerComponentState -Identity <server>, IIS) and the load balancer.");
    }

    /// <summary>
    /// The anonymous POST to /mapi/emsmdb or /mapi/nspi. A 401 must offer every expected scheme. Bearer (OAuth) offered
    /// beside them is never a problem by itself, and no recommendation drops it (issue 11). A missing Bearer where OAuth
    /// is expected is a Warning, as the configuration check (VirtualDirectoryChecks.IisAuthenticationMethods) says;
    /// a missing Negotiate or NTLM fails Windows clients and is a Fail.
    /// </summary>
    public static Finding Challenge(string endpoint, int status, string? responseCode, IReadOnlyList<string> offered, IReadOnlyList<string> expected, string expectedSource, bool answeredByHttpSys, FrontEndComparison comparison, string? backEnd, ProbeSubject subject)
    {
        string path = $"/mapi/{endpoint}/";
        if (status == 401)
        {
            string[] missing = expected.Where(e => !offered.Contains(e, StringComparer.OrdinalIgnoreCase)).ToArray();
            string[] extra = offered.Where(o => !expected.Contains(o, StringComparer.OrdinalIgnoreCase) && !string.Equals(o, "Bearer", StringComparison.OrdinalIgnoreCase)).ToArray();
            string offeredText = offered.Count == 0 ? "no method" : string.Join(", ", offered.Select(o => DisplayText.Safe(o)));
            bool bearerUnlisted = offered.Contains("Bearer", StringComparer.OrdinalIgnoreCase) && !expected.Contains("Bearer", StringComparer.OrdinalIgnoreCase);
            string oauthNote = bearerUnlisted ? " Bearer (OAuth) is offered too, as it is when the virtual directory has OAuth." : string.Empty;
            if (missing.Length > 0)
            {
                bool windowsMissing = missing.Any(ServerNames.IsWindowsScheme);
                string kerberos = missing.Contains("Negotiate", StringComparer.OrdinalIgnoreCase)
                    ? $" Without Negotiate, Kerberos clients cannot authenticate; also check the HTTP SPNs of the namespace (setspn -Q http/{subject.Host})."
                    : string.Empty;
                string oauth = !windowsMissing ? " OAuth (modern authentication, hybrid free/busy and the Outlook clients that use it) fails." : string.Empty;
                return new Finding(windowsMissing ? CheckStatus.Fail : CheckStatus.Warning, MapiHttpCause.Authentication,
                    $"{path} offers {offeredText}; expected {string.Join(", ", expected)} ({expectedSource}), missing {string.Join(", ", missing)}.{kerberos}{oauth}",
                    $"Set-MapiVirtualDirectory -Identity '{subject.IdentityForCommand}' -IISAuthenticationMethods {ExchangeMethods(expected.Union(offered, StringComparer.OrdinalIgnoreCase))}; if Exchange already lists them, the IIS authentication of 'Default Web Site/mapi' differs: {subject.AppPoolHealthInSentence}");
            }

            if (extra.Length > 0)
            {
                string[] keep = offered.Where(o => !extra.Contains(o, StringComparer.OrdinalIgnoreCase)).ToArray();
                return new Finding(CheckStatus.Warning, MapiHttpCause.Authentication,
                    $"{path} offers {offeredText}; {string.Join(", ", extra.Select(e => DisplayText.Safe(e)))} is not expected ({expectedSource}).{oauthNote}",
                    $"If {string.Join(", ", extra.Select(e => DisplayText.Safe(e)))} is not wanted: Set-MapiVirtualDirectory -Identity '{subject.IdentityForCommand}' -IISAuthenticationMethods {ExchangeMethods(keep)}");
            }

            return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"{path} challenges anonymous requests with {offeredText}, as expected.{oauthNote}");
        }

        if (status >= 200 && status < 300)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.Authentication,
                $"{path} accepted an anonymous request ({status}, X-ResponseCode {DisplayText.Safe(responseCode ?? "none", 16)}): anonymous authentication is on for /mapi.",
                subject.OnServer("Set-WebConfigurationProperty -PSPath 'IIS:\\' -Location 'Default Web Site/mapi' -Filter system.webServer/security/authentication/anonymousAuthentication -Name enabled -Value $false"));
        }

        return HttpFailure(status, path, endpoint, answeredByHttpSys, comparison, backEnd, subject);
    }

    /// <summary>
    /// The TLS handshake and the certificate IIS served. Name mismatch, expiry and not-yet-valid fail everywhere (Outlook
    /// rejects them on every machine). An untrusted chain fails, except under -SkipCertificateCheck, where it is a
    /// Warning: Outlook's machines may trust a CA the probing machine lacks (issue 11).
    /// </summary>
    public static Finding Tls(TlsFacts facts, string host, string label, DateTime now, int expiryWarningDays, bool skipCertificateCheck, ProbeSubject subject, CertificateUse? use = null)
    {
        CertificateFacts? cert = facts.Certificate;
        string clients = use?.Clients ?? "Outlook";
        string traffic = use?.Traffic ?? "/mapi traffic";
        if (cert is null && !facts.Completed)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                facts.Reset
                    ? $"The connection to {label} was reset during the TLS handshake: a firewall, load balancer or TLS-inspection device is cutting {traffic}."
                    : $"The TLS handshake with {label} failed before a certificate was seen: {DisplayText.Safe(facts.Error is null ? "no certificate" : ProbeTransport.Describe(facts.Error))}",
                "Check TLS settings on the path (load balancer SSL profile, TLS inspection bypass for the Exchange namespace) and the protocols enabled on the server (TLS 1.2).");
        }

        var problems = new List<string>();
        var warnings = new List<string>();
        if (cert is not null)
        {
            if (cert.NameMismatch || !cert.Covers(host))
            {
                problems.Add($"it does not cover '{host}' (names: {string.Join(", ", cert.DnsNames.Select(n => DisplayText.Safe(n)))})");
            }

            if (cert.NotAfter < now)
            {
                problems.Add($"it expired on {cert.NotAfter:yyyy-MM-dd}");
            }
            else if (cert.NotBefore > now)
            {
                problems.Add($"it is not valid before {cert.NotBefore:yyyy-MM-dd}");
            }
            else if (cert.NotAfter < now.AddDays(expiryWarningDays))
            {
                warnings.Add($"it expires on {cert.NotAfter:yyyy-MM-dd}, within {expiryWarningDays} days");
            }

            if (cert.Untrusted)
            {
                string untrusted = $"its chain does not lead to a root trusted by this machine (issuer: {DisplayText.Safe(cert.Issuer)}; {cert.ChainStatus}); a TLS-inspection device re-signing traffic looks the same";
                if (skipCertificateCheck)
                {
                    warnings.Add(untrusted + "; Outlook's machines may trust that CA: check that they do");
                }
                else
                {
                    problems.Add(untrusted);
                }
            }

            if (cert.KeyAlgorithm == "RSA" && cert.KeySize > 0 && cert.KeySize < 2048)
            {
                warnings.Add($"its RSA key has {cert.KeySize} bits (2048 or more expected)");
            }
        }

        if (!facts.Completed && problems.Count == 0)
        {
            // The platform refused the certificate for a reason none of the named checks covers: never call it a pass.
            problems.Add($"the platform's validation refused it ({cert?.PolicyErrors}; chain: {cert?.ChainStatus})");
        }

        if (facts.Completed && (facts.Protocol == SslProtocols.Tls || facts.Protocol == SslProtocols.Tls11))
        {
            warnings.Add($"the server negotiated {facts.Protocol}; enable TLS 1.2");
        }

        string server = subject.KnownServer is { } known ? known : "<server>";
        string fix = (subject.KnownServer is null ? $"On the Exchange server behind {label}: " : string.Empty) +
            $"Get-ExchangeCertificate -Server {server} | Where-Object {{ $_.CertificateDomains -contains '{host}' -and $_.NotAfter -gt (Get-Date) }}, then Enable-ExchangeCertificate -Server {server} -Thumbprint <thumbprint> -Services {use?.ExchangeServices ?? "IIS"}" +
            (use?.ThenFix is { } then ? "; " + then(server) : string.Empty);
        if (problems.Count > 0)
        {
            string suffix = skipCertificateCheck ? " Validation was skipped (-SkipCertificateCheck), so the probe went on." : string.Empty;
            return new Finding(CheckStatus.Fail, MapiHttpCause.Certificate, $"The certificate served by {label} is not valid for {clients}: {string.Join("; ", problems)}.{suffix}", fix);
        }

        if (warnings.Count > 0)
        {
            return new Finding(CheckStatus.Warning, MapiHttpCause.Certificate, $"TLS works with {label}, but {string.Join("; ", warnings)}.", fix);
        }

        string skipped = skipCertificateCheck ? " (validation skipped: -SkipCertificateCheck)" : string.Empty;
        return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"{facts.Protocol} with a certificate for '{host}' valid until {cert?.NotAfter:yyyy-MM-dd}{skipped}.");
    }

    /// <summary>
    /// The authenticated PING. A 401 after no credential went out is not a rejection: either the platform could not
    /// produce the offered scheme (Skipped), or the server changed its challenge to a weaker scheme than the anonymous
    /// one offered (issue 20: a downgrade, credentials withheld). The scheme named is the one really sent.
    /// </summary>
    public static Finding Ping(string endpoint, PingFacts facts, FrontEndComparison comparison, string? backEnd, ProbeSubject subject)
    {
        string path = $"/mapi/{endpoint}/";
        string scheme = facts.SchemeSent ?? (facts.SchemeKnown ? "none" : "Negotiate or NTLM, chosen by Windows");
        if (facts.StatusCode == 401)
        {
            IReadOnlyList<string> windowsOffered = ServerNames.WindowsSchemes(facts.AnonymousOffered);
            bool sameChallenge = facts.FinalOffered.Any(f => facts.AnonymousOffered.Contains(f, StringComparer.OrdinalIgnoreCase));
            if (facts.SchemeSent is null && windowsOffered.Count > 0 && facts.FinalOffered.Count > 0 && !sameChallenge)
            {
                return new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                    $"{path} answered the authenticated PING with a {string.Join(", ", facts.FinalOffered.Select(f => DisplayText.Safe(f)))} challenge though the anonymous request offered {string.Join(", ", facts.AnonymousOffered.Select(f => DisplayText.Safe(f)))}: a downgrade to a weaker scheme; the credentials were not sent.",
                    $"Find what answers for {subject.Host} with that challenge (a reverse proxy doing pre-authentication, or something impersonating Exchange) before sending credentials to it.");
            }

            if (facts.SchemeSent is null && facts.SchemeKnown)
            {
                return new Finding(CheckStatus.Skipped, MapiHttpCause.None,
                    $"Authenticated PING not sent: {path} offers {string.Join(", ", windowsOffered.Select(f => DisplayText.Safe(f)))}, and this platform's HTTP stack could not produce credentials for it (on Linux and macOS it needs Kerberos or gss-ntlmssp); nothing was sent. Run the probe on Windows for the authenticated PING.");
            }

            return new Finding(CheckStatus.Fail, MapiHttpCause.Authentication,
                $"The credentials were rejected by {path} ({scheme}).",
                "Check the user name and password, that the account is not locked, and the authentication methods of the MAPI virtual directory (Get-MapiVirtualDirectory | Format-List *Authentication*).");
        }

        if (facts.StatusCode != 200)
        {
            return HttpFailure(facts.StatusCode, $"{path} (authenticated PING)", endpoint, facts.AnsweredByHttpSys, comparison, backEnd, subject);
        }

        if (!int.TryParse(facts.ResponseCode, NumberStyles.Integer, CultureInfo.InvariantCulture, out int code))
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                $"{path} answered the PING with 200 but without X-ResponseCode: something other than Exchange answered.",
                "Check the load balancer or reverse proxy rules for /mapi/*.");
        }

        return ResponseCode(endpoint, code, facts.ServerApplication, scheme, backEnd, subject);
    }

    /// <summary>The verdict of an X-ResponseCode on the authenticated PING, from <see cref="ResponseCodes"/>.</summary>
    public static Finding ResponseCode(string endpoint, int code, string? serverApplication, string scheme, string? backEnd, ProbeSubject subject)
    {
        string path = $"/mapi/{endpoint}/";
        if (!ResponseCodes.TryGetValue(code, out ResponseCodeRule? rule))
        {
            rule = new ResponseCodeRule(code, "Unknown code", CheckStatus.Error, MapiHttpCause.None, "MS-OXCMAPIHTTP defines no such code");
        }

        if (rule.Status == CheckStatus.Pass)
        {
            string application = serverApplication is null ? string.Empty : ", " + DisplayText.Safe(serverApplication, 64);
            return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"Authenticated PING to {path} succeeded ({scheme}; X-ResponseCode 0{application}).");
        }

        string pool = PoolFor(endpoint, false);
        string? fix = rule.Cause switch
        {
            MapiHttpCause.AppPool => backEnd is not null
                ? $"Get-MapiAppPoolHealth -ComputerName {backEnd}; Invoke-Command -ComputerName {backEnd} -ScriptBlock {{ Restart-WebAppPool -Name {pool} }}"
                : $"{subject.AppPoolHealth}; on the mailbox server that {subject.ServerText} proxies to: Restart-WebAppPool -Name {pool}",
            MapiHttpCause.Network => "Check the load balancer or reverse proxy rules for /mapi/*: MAPI/HTTP requests (verb, path, headers, body, cookies) must pass through unchanged, with session persistence.",
            MapiHttpCause.Authentication => "Check the account's mailbox and its MAPI settings: Get-CASMailbox <user> | Format-List Mapi*",
            _ => null,
        };
        return new Finding(rule.Status, rule.Cause, $"{path} answered the PING with X-ResponseCode {code} ({rule.Name}): {rule.Meaning}.", fix);
    }

    /// <summary>Exchange method names for Set-MapiVirtualDirectory -IISAuthenticationMethods (Bearer is OAuth).</summary>
    /// <remarks>Only known scheme names go into the command: a hostile WWW-Authenticate never becomes part of it (issue 20).</remarks>
    public static string ExchangeMethods(IEnumerable<string> schemes) =>
        string.Join(",", schemes.Where(IsKnownScheme).Select(AuthenticationSchemes.ToExchangeMethod).Distinct(StringComparer.OrdinalIgnoreCase));

    private static bool IsKnownScheme(string scheme) =>
        new[] { "Negotiate", "NTLM", "Bearer", "Basic", "Digest", "Kerberos", "OAuth" }.Contains(scheme, StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the certificate the handshake showed validated without any policy error.</summary>
    public static bool Validated(CertificateFacts? certificate) => certificate is not null && certificate.PolicyErrors == SslPolicyErrors.None;
}
