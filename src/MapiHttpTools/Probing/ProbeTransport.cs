using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace MapiHttpTools.Probing;

/// <summary>Name resolution, behind an interface so tests can stand in for DNS (mail.contoso.lab → loopback).</summary>
internal interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation);
}

internal sealed class DnsHostResolver : IHostResolver
{
    public static readonly DnsHostResolver Instance = new();

    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation)
    {
        // Dns.GetHostAddressesAsync has no token on net472: race it against the token so Ctrl+C is immediate.
        Task<IPAddress[]> lookup = Dns.GetHostAddressesAsync(host);
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellation.Register(() => cancelled.TrySetResult(true)))
        {
            if (await Task.WhenAny(lookup, cancelled.Task).ConfigureAwait(false) != lookup)
            {
                _ = lookup.ContinueWith(t => t.Exception, TaskScheduler.Default);
                cancellation.ThrowIfCancellationRequested();
            }
        }

        return await lookup.ConfigureAwait(false);
    }
}

/// <summary>What the TLS handshake produced.</summary>
internal sealed class TlsOutcome
{
    public TlsOutcome(SslStream? stream, CertificateFacts? certificate, SslProtocols protocol, Exception? error)
    {
        Stream = stream;
        Certificate = certificate;
        Protocol = protocol;
        Error = error;
    }

    public SslStream? Stream { get; }

    public CertificateFacts? Certificate { get; }

    public SslProtocols Protocol { get; }

    public Exception? Error { get; }
}

/// <summary>
/// Opens the connections the probe uses: TCP to one chosen address, TLS with the URL's host in SNI. Sockets on
/// net472 take no cancellation token, so a registration closes the socket: a hung peer never outlives Ctrl+C.
/// </summary>
internal static class ProbeTransport
{
    public static async Task<TcpClient> ConnectAsync(IPAddress address, int port, CancellationToken cancellation)
    {
        var client = new TcpClient(address.AddressFamily) { NoDelay = true };
        try
        {
            using (cancellation.Register(client.Dispose))
            {
                await client.ConnectAsync(address, port).ConfigureAwait(false);
            }

            cancellation.ThrowIfCancellationRequested();
            return client;
        }
        catch (Exception ex) when (cancellation.IsCancellationRequested && ex is not OperationCanceledException)
        {
            client.Dispose();
            throw new OperationCanceledException("The connection attempt was cancelled.", ex, cancellation);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// TLS handshake with certificate validation on. The callback records what it saw; the connection is accepted
    /// only when validation passes or the user asked for -SkipCertificateCheck.
    /// </summary>
    /// <summary>
    /// A connection for one HTTP exchange with <paramref name="host"/> at <paramref name="address"/>: TCP, then TLS for
    /// https. With <paramref name="requireValidatedCertificate"/> (a request that carries credentials, issue 20) a
    /// certificate that did not validate closes the connection before anything is sent. Returns the stream, or why none
    /// was opened. Shared by the endpoint probe and the Autodiscover probe.
    /// </summary>
    public static async Task<(Stream? Stream, Exception? Error)> OpenAsync(IPAddress address, int port, bool https, string host, bool skipCertificateCheck, bool requireValidatedCertificate, CancellationToken cancellation)
    {
        TcpClient client = await ConnectAsync(address, port, cancellation).ConfigureAwait(false);
        if (!https)
        {
            return (client.GetStream(), null);
        }

        TlsOutcome tls = await AuthenticateAsync(client.GetStream(), host, skipCertificateCheck, cancellation).ConfigureAwait(false);
        if (tls.Stream is null || (requireValidatedCertificate && !ProbeJudgement.Validated(tls.Certificate)))
        {
            tls.Stream?.Dispose();
            client.Dispose();
            return (null, tls.Error ?? new AuthenticationException("The certificate did not validate; the request was not sent."));
        }

        return (tls.Stream, null);
    }

    public static async Task<TlsOutcome> AuthenticateAsync(Stream network, string host, bool skipCertificateCheck, CancellationToken cancellation)
    {
        CertificateFacts? facts = null;
        var ssl = new SslStream(network, leaveInnerStreamOpen: false, (sender, certificate, chain, errors) =>
        {
            if (certificate is not null)
            {
                facts = CertificateFacts.Capture(certificate, chain, errors);
            }

            return errors == SslPolicyErrors.None || skipCertificateCheck;
        });

        try
        {
            using (cancellation.Register(ssl.Dispose))
            {
                await ssl.AuthenticateAsClientAsync(host, null, SslProtocols.None, checkCertificateRevocation: false).ConfigureAwait(false);
            }

            cancellation.ThrowIfCancellationRequested();
            return new TlsOutcome(ssl, facts, ssl.SslProtocol, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !cancellation.IsCancellationRequested)
        {
            ssl.Dispose();
            return new TlsOutcome(null, facts, SslProtocols.None, ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ssl.Dispose();
            throw new OperationCanceledException("The TLS handshake was cancelled.", ex, cancellation);
        }
    }

    /// <summary>True when an exception chain shows a reset or an abrupt close by the peer.</summary>
    public static bool IsReset(Exception ex) =>
        Flatten(ex).Any(e => e is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted } ||
                             (e is IOException && e.Message.IndexOf("reset", StringComparison.OrdinalIgnoreCase) >= 0));

    public static SocketError? SocketErrorOf(Exception ex) =>
        Flatten(ex).OfType<SocketException>().Select(s => (SocketError?)s.SocketErrorCode).FirstOrDefault();

    public static System.Collections.Generic.IEnumerable<Exception> Flatten(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    public static string Describe(Exception ex)
    {
        Exception root = Flatten(ex).Last();
        return root == ex ? ex.Message : $"{ex.Message} ({root.Message})";
    }
}
