using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace MapiHttpTools.Lab;

/// <summary>
/// A real HTTPS Exchange front end on a loopback address: Kestrel, HTTP/1.1 only, TLS 1.2/1.3, answering
/// like Exchange's Client Access front end (healthcheck pages, /mapi 401 challenges, PING), with one
/// <see cref="LabFault"/> applied. Several instances can run at once (different ports, or different
/// loopback addresses on the same port).
/// </summary>
public sealed class LabServer : IAsyncDisposable
{
    /// <summary>The namespace host name clients put into SNI and Host (the certificate's main name).</summary>
    public const string NamespaceHost = "mail.contoso.lab";

    /// <summary>What <see cref="LabFault.HostileText"/> appends to server-controlled text: an OSC title change ended by BEL, and a clear-screen CSI.</summary>
    public const string HostileText = "\u001b]0;pwned\u0007\u001b[2J";

    /// <summary>The address <see cref="LabFault.AutodiscoverRedirect"/> sends clients to with redirectAddr.</summary>
    public const string RedirectedAddress = "labuser.redirected@contoso.lab";

    /// <summary>The lab mailbox's GUID: the MailboxId in the mapiHttp URLs Autodiscover returns.</summary>
    public const string MailboxGuid = "416c6368-656d-794a-6f45-57615272456e";

    private readonly WebApplication? _app;
    private readonly ResetListener? _resetListener;
    private readonly ExchangeFrontEnd _frontEnd;
    private readonly CancellationTokenSource _stopping;
    private int _disposed;

    private LabServer(LabOptions options, X509Certificate2 certificate, IPAddress address, int port, ExchangeFrontEnd frontEnd, CancellationTokenSource stopping, WebApplication? app, ResetListener? resetListener)
    {
        Options = options;
        ServerCertificate = certificate;
        Address = address;
        Port = port;
        MapiUri = new Uri($"{(options.PlainHttp ? "http" : "https")}://{NamespaceHost}:{port}/mapi/");
        _frontEnd = frontEnd;
        _stopping = stopping;
        _app = app;
        _resetListener = resetListener;
    }

    public LabOptions Options { get; }

    /// <summary>https://mail.contoso.lab:{Port}/autodiscover/autodiscover.xml : the POX Autodiscover endpoint (issue 14).</summary>
    public Uri AutodiscoverUri => new($"{(Options.PlainHttp ? "http" : "https")}://{NamespaceHost}:{Port}/autodiscover/autodiscover.xml");

    /// <summary>The port actually bound (the chosen one when <see cref="LabOptions.Port"/> was 0).</summary>
    public int Port { get; }

    public IPAddress Address { get; }

    /// <summary>https://mail.contoso.lab:{Port}/mapi/ : the host name the probe must put in SNI and Host; connect to <see cref="Address"/>.</summary>
    public Uri MapiUri { get; }

    /// <summary>The certificate served, chosen by the fault (CertificateExpired serves Expired, and so on; otherwise Valid).</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>A snapshot of every HTTP request seen so far, in arrival order.</summary>
    public IReadOnlyList<LabRequest> Requests => _frontEnd.Requests;

    public static async Task<LabServer> StartAsync(LabOptions options, LabCertificates certificates, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(certificates);
        ct.ThrowIfCancellationRequested();

        X509Certificate2 certificate = options.ServerCertificateOverride ?? options.Fault switch
        {
            LabFault.CertificateExpired => certificates.Expired,
            LabFault.CertificateWrongName => certificates.WrongName,
            LabFault.CertificateUntrusted => certificates.Untrusted,
            LabFault.CertificateNotYetValid => certificates.NotYetValid,
            LabFault.CertificateWeakKey => certificates.WeakKey,
            _ => certificates.Valid,
        };

        var stopping = new CancellationTokenSource();
        var frontEnd = new ExchangeFrontEnd(options, stopping.Token);

        if (options.Fault == LabFault.ConnectionReset)
        {
            ResetListener listener = ResetListener.Start(options.ListenAddress, options.Port, stopping.Token);
            return new LabServer(options, certificate, options.ListenAddress, listener.Port, frontEnd, stopping, null, listener);
        }

        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(LabServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.ListenAddress, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                if (options.PlainHttp)
                {
                    return;
                }

                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateMode = ClientCertificateMode.NoCertificate,
                    HandshakeTimeout = TimeSpan.FromSeconds(10),
                    ServerCertificateSelector = (connection, hostName) =>
                    {
                        if (connection is not null)
                        {
                            connection.Items[ExchangeFrontEnd.SniItemKey] = hostName;
                        }

                        return certificate;
                    },
                    OnAuthenticate = (_, ssl) =>
                    {
                        if (options.Fault == LabFault.CertificateWeakKey)
                        {
                            // OpenSSL's default security level refuses to serve an RSA 1024 key; level 0 (which .NET
                            // sets for this policy) lets the lab serve the weak certificate a real server might.
#pragma warning disable SYSLIB0040
                            ssl.EncryptionPolicy = EncryptionPolicy.AllowNoEncryption;
#pragma warning restore SYSLIB0040
                        }
                    },
                });

                if (options.Fault == LabFault.HostileText)
                {
                    // Kestrel refuses control characters in response headers, so this fault answers on the decrypted
                    // connection itself, byte for byte as a hostile server would.
                    listen.Use(_ => connection => HostileFrontEnd.HandleAsync(connection, options, frontEnd, stopping.Token));
                }
            });
        });
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(2));

        WebApplication app = builder.Build();
        app.Run(frontEnd.HandleAsync);
        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            stopping.Dispose();
            throw;
        }

        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        int port = new Uri(bound).Port;
        return new LabServer(options, certificate, options.ListenAddress, port, frontEnd, stopping, app, null);
    }

    /// <summary>Stops listening, abandons hanging and slow requests (their connections are aborted) and releases the port.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                await _app.StopAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Past the deadline Kestrel aborts the remaining connections itself.
            }

            await _app.DisposeAsync().ConfigureAwait(false);
        }

        if (_resetListener is not null)
        {
            await _resetListener.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
