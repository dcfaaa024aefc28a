using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Threading;
using System.Threading.Tasks;

namespace MapiHttpTools.Probing;

/// <summary>
/// Authenticated PING through the platform's HTTP stack, which speaks NTLM and Negotiate (SSPI on Windows) with
/// the given or the logged-on user's credentials. Certificate validation stays on unless -SkipCertificateCheck.
/// </summary>
internal static class SystemHttpPing
{
    public static async Task<Outcome> SendAsync(Uri mapiUri, string endpoint, ProbeOptions options, CancellationToken cancellation)
    {
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            PreAuthenticate = false,
            UseCookies = false,
            UseDefaultCredentials = options.Credential is null && options.UseDefaultCredentials,
            Credentials = options.Credential,
            ServerCertificateCustomValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None || options.SkipCertificateCheck,
        };

        using var client = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(options.Timeout);
        var uri = new Uri(mapiUri.GetLeftPart(UriPartial.Authority) + $"/mapi/{endpoint}/");
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
                    headers[header.Key] = string.Join(", ", header.Value);
                }
            }

            return new Outcome((int)response.StatusCode, headers, null);
        }
        catch (Exception ex) when (!cancellation.IsCancellationRequested)
        {
            return new Outcome(0, new Dictionary<string, object?>(), ex is TaskCanceledException ? new OperationCanceledException("timed out", ex) : ex);
        }
    }

    internal sealed class Outcome
    {
        public Outcome(int statusCode, Dictionary<string, object?> headers, Exception? error)
        {
            StatusCode = statusCode;
            Headers = headers;
            Error = error;
        }

        public int StatusCode { get; }

        public Dictionary<string, object?> Headers { get; }

        public Exception? Error { get; }
    }
}
