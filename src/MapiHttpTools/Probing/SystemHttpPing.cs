using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Probing;

/// <summary>
/// Authenticated PING through the platform's HTTP stack, which speaks NTLM and Negotiate (SSPI on Windows) with
/// the given or the logged-on user's credentials. Certificate validation stays on unless -SkipCertificateCheck
/// together with -AllowUnencryptedAuthentication: credentials never go to an unvalidated peer by default (issue 20).
/// </summary>
internal static class SystemHttpPing
{
    private const SslProtocols Tls13 = (SslProtocols)12288;

    /// <summary>True on .NET Framework (Windows PowerShell 5.1), whose HttpClientHandler does not show the Authorization it sent.</summary>
    public static bool IsNetFramework { get; } = RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

    /// <summary>Negotiate and NTLM always work through SSPI on Windows; elsewhere they depend on Kerberos and gss-ntlmssp.</summary>
    public static bool PlatformHasWindowsAuthentication { get; } = Environment.OSVersion.Platform == PlatformID.Win32NT;

    /// <summary>
    /// The PING handler's own protocols (issue 11): TLS 1.2, plus TLS 1.3 where the runtime has it. In powershell.exe
    /// the handler would otherwise follow the process-wide ServicePointManager.SecurityProtocol, often without TLS 1.2;
    /// nothing process-wide is changed. TLS 1.3 only where the platform has it: not on .NET Framework, and on Windows
    /// only from build 20348 (Server 2022, Windows 11), whose Schannel speaks it; Exchange hosts on Server 2016/2019 do not.
    /// </summary>
    public static SslProtocols PingProtocols { get; } =
        !IsNetFramework && Enum.IsDefined(typeof(SslProtocols), Tls13) &&
        (Environment.OSVersion.Platform != PlatformID.Win32NT || Environment.OSVersion.Version.Build >= 20348)
            ? SslProtocols.Tls12 | Tls13
            : SslProtocols.Tls12;

    /// <summary>
    /// The handler the PING uses: credentials registered for the offered Windows schemes only (never Basic: a server
    /// that answers the authenticated request with a Basic challenge gets nothing), no redirects, no cookies.
    /// </summary>
    internal static HttpClientHandler CreateHandler(Uri siteRoot, IReadOnlyList<string> windowsSchemes, ProbeOptions options)
    {
        var credentials = new CredentialCache();
        NetworkCredential credential = options.Credential ?? CredentialCache.DefaultNetworkCredentials;
        foreach (string scheme in windowsSchemes.Where(ServerNames.IsWindowsScheme).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            credentials.Add(siteRoot, scheme, credential);
        }

        bool acceptUnvalidated = options.SkipCertificateCheck && options.AllowUnencryptedAuthentication;
        return new HttpClientHandler
        {
            AllowAutoRedirect = false,
            PreAuthenticate = false,
            UseCookies = false,
            UseDefaultCredentials = false,
            Credentials = credentials,
            SslProtocols = PingProtocols,
            ServerCertificateCustomValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None || acceptUnvalidated,
        };
    }

    public static async Task<Outcome> SendAsync(Uri mapiUri, string endpoint, IReadOnlyList<string> windowsSchemes, ProbeOptions options, CancellationToken cancellation)
    {
        var siteRoot = new Uri(mapiUri.GetLeftPart(UriPartial.Authority) + "/");
        using HttpClientHandler handler = CreateHandler(siteRoot, windowsSchemes, options);
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(options.Timeout);
        var uri = new Uri(siteRoot, $"/mapi/{endpoint}/");
        string id = Guid.NewGuid().ToString("B").ToUpperInvariant();
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(Array.Empty<byte>()) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/mapi-http");
        request.Headers.TryAddWithoutValidation("X-RequestType", "PING");
        request.Headers.TryAddWithoutValidation("X-RequestId", id + ":1");
        request.Headers.TryAddWithoutValidation("X-ClientInfo", id + ":1");
        request.Headers.TryAddWithoutValidation("X-ClientApplication", EndpointProber.ClientApplication);
        request.Headers.TryAddWithoutValidation("User-Agent", EndpointProber.ClientApplication);

        try
        {
            using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var headers = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["HttpStatus"] = (int)response.StatusCode };
            foreach (KeyValuePair<string, IEnumerable<string>> header in response.Headers)
            {
                if (header.Key.StartsWith("X-", StringComparison.OrdinalIgnoreCase) || string.Equals(header.Key, "request-id", StringComparison.OrdinalIgnoreCase))
                {
                    headers[header.Key] = DisplayText.Safe(string.Join(", ", header.Value));
                }
            }

            string[] challenges = response.Headers.WwwAuthenticate.Select(c => c.ToString()).ToArray();
            if (challenges.Length > 0)
            {
                headers["WWW-Authenticate"] = challenges.Select(c => DisplayText.Safe(c)).ToArray();
            }

            // .NET (PowerShell 7) leaves the last Authorization it sent on the request; .NET Framework sends through
            // HttpWebRequest and does not, so there the scheme is Windows' choice and cannot be named.
            string? sent = (response.RequestMessage ?? request).Headers.Authorization?.Scheme;
            return new Outcome((int)response.StatusCode, headers, null)
            {
                SchemeSent = sent is null ? null : DisplayText.Safe(sent, 32),
                SchemeKnown = !IsNetFramework,
                FinalOffered = AuthenticationSchemes.Offered(challenges),
                ResponseCode = First(response, "X-ResponseCode"),
                ServerApplication = First(response, "X-ServerApplication"),
                BackEnd = First(response, "X-BEServer"),
                AnsweredByHttpSys = response.Headers.Server.ToString().StartsWith("Microsoft-HTTPAPI/", StringComparison.OrdinalIgnoreCase),
            };
        }
        catch (Exception ex) when (!cancellation.IsCancellationRequested)
        {
            return new Outcome(0, new Dictionary<string, object?>(), ex is TaskCanceledException ? new OperationCanceledException("timed out", ex) : ex);
        }
    }

    private static string? First(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;

    internal sealed class Outcome
    {
        public Outcome(int statusCode, Dictionary<string, object?> headers, Exception? error)
        {
            StatusCode = statusCode;
            Headers = headers;
            Error = error;
        }

        public int StatusCode { get; }

        /// <summary>X- headers and request-id, escaped for display.</summary>
        public Dictionary<string, object?> Headers { get; }

        public Exception? Error { get; }

        /// <summary>The scheme of the Authorization header that went out; null when none did (or the platform does not say).</summary>
        public string? SchemeSent { get; init; }

        public bool SchemeKnown { get; init; } = true;

        public IReadOnlyList<string> FinalOffered { get; init; } = Array.Empty<string>();

        public string? ResponseCode { get; init; }

        public string? ServerApplication { get; init; }

        public string? BackEnd { get; init; }

        public bool AnsweredByHttpSys { get; init; }
    }
}
