using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Autodiscover;

/// <summary>
/// The authenticated POX request through the platform's HTTP stack, for Negotiate and NTLM (SSPI on Windows), with the
/// PING's handler (<see cref="SystemHttpPing.CreateHandler"/>): credentials only for the offered Windows schemes, no
/// redirects followed by the handler (the probe follows and reports them), certificate validation on (issue 20).
/// </summary>
internal static class AutodiscoverSystemHttp
{
    public static async Task<Outcome> PostAsync(Uri uri, byte[] body, IReadOnlyList<string> windowsSchemes, ProbeOptions options, CancellationToken cancellation)
    {
        var siteRoot = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
        using HttpClientHandler handler = SystemHttpPing.CreateHandler(siteRoot, windowsSchemes, options);
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(options.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "text/xml; charset=utf-8");
        request.Headers.TryAddWithoutValidation("User-Agent", EndpointProber.ClientApplication);
        request.Headers.TryAddWithoutValidation("X-MapiHttpCapability", "1");
        try
        {
            using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var headers = new List<KeyValuePair<string, string>>();
            foreach (KeyValuePair<string, IEnumerable<string>> header in response.Headers.Concat(response.Content.Headers))
            {
                headers.AddRange(header.Value.Select(v => new KeyValuePair<string, string>(header.Key, v)));
            }

            using System.IO.Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            using var bounded = new System.IO.MemoryStream();
            var buffer = new byte[8192];
            int read;
            using (timeout.Token.Register(stream.Dispose))
            {
                while (bounded.Length < HttpWire.MaxBody && (read = await stream.ReadAsync(buffer, 0, (int)Math.Min(buffer.Length, HttpWire.MaxBody - bounded.Length), timeout.Token).ConfigureAwait(false)) > 0)
                {
                    bounded.Write(buffer, 0, read);
                }
            }

            string? sent = (response.RequestMessage ?? request).Headers.Authorization?.Scheme;
            return new Outcome(new WireResponse((int)response.StatusCode, response.ReasonPhrase ?? string.Empty, headers, bounded.ToArray()), null, sent is null ? null : DisplayText.Safe(sent, 32));
        }
        catch (Exception ex) when (!cancellation.IsCancellationRequested)
        {
            return new Outcome(null, ex is TaskCanceledException ? new OperationCanceledException("timed out", ex) : ex, null);
        }
    }

    internal sealed record Outcome(WireResponse? Response, Exception? Error, string? Scheme);
}
