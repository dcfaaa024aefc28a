using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MapiHttpTools.Lab;

/// <summary>The ways the lab front end can be broken; each maps to one cause the module must name.</summary>
public enum LabFault
{
    None,
    MapiAppPoolStopped,
    FrontEndDown,
    MapiMissing,
    NegotiateMissing,
    AnonymousAllowed,
    CertificateExpired,
    CertificateWrongName,
    CertificateUntrusted,
    Slow,
    Hang,
    ConnectionReset,
}

public sealed class LabOptions
{
    /// <summary>FQDN of the front end: X-FEServer (short name) and the healthcheck.htm body.</summary>
    public string ServerName { get; init; } = "EX01.contoso.lab";

    /// <summary>FQDN of the back end that answers authenticated requests (X-BEServer, X-CalculatedBETarget).</summary>
    public string BackEndServer { get; init; } = "EX02.contoso.lab";

    /// <summary>Any loopback address works on Linux (127.0.0.2, ...): several servers behind one name and port.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    public LabFault Fault { get; init; } = LabFault.None;

    public TimeSpan SlowDelay { get; init; } = TimeSpan.FromSeconds(3);

    public string BasicUser { get; init; } = @"CONTOSO\labuser";

    public string BasicPassword { get; init; } = "P@ssw0rd!lab";

    public string ExchangeBuild { get; init; } = "15.02.1258.012";

    /// <summary>Methods offered in the 401 of /mapi: Negotiate, NTLM, Basic, OAuth (Bearer).</summary>
    public string[] AuthenticationMethods { get; init; } = { "Negotiate", "NTLM" };

    /// <summary>Serve this certificate instead of the one the fault picks.</summary>
    public X509Certificate2? ServerCertificateOverride { get; init; }
}

/// <summary>One request as the lab saw it: for assertions on the bytes the probe sent.</summary>
public sealed record LabRequest(
    string Method,
    string Path,
    string QueryString,
    string? Host,
    string? SniHostName,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body);

/// <summary>
/// A real HTTPS server on a loopback address that answers like an Exchange front end for /mapi and the other
/// virtual directories (DESIGN.md, "Wire behaviour"), and that can be started broken in each known way.
/// </summary>
public sealed class LabServer : IAsyncDisposable
{
    private static readonly string[] VirtualDirectories = { "mapi", "owa", "ews", "microsoft-server-activesync", "oab", "ecp", "autodiscover", "rpc" };

    private const string SniKey = "MapiHttpTools.Lab.Sni";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<LabRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();

    private LabServer(WebApplication app, LabOptions options, X509Certificate2 certificate)
    {
        _app = app;
        Options = options;
        ServerCertificate = certificate;
    }

    public LabOptions Options { get; }

    public int Port { get; private set; }

    public IPAddress Address => Options.ListenAddress;

    /// <summary>https://mail.contoso.lab:{Port}/mapi/ — the host the probe must put in SNI and Host.</summary>
    public Uri MapiUri => new($"https://mail.contoso.lab:{Port}/mapi/");

    public X509Certificate2 ServerCertificate { get; }

    public IReadOnlyList<LabRequest> Requests => _requests.ToArray();

    private string ShortName => Options.ServerName.Split('.')[0];

    public static async Task<LabServer> StartAsync(LabOptions options, LabCertificates certificates, CancellationToken cancellation = default)
    {
        X509Certificate2 certificate = options.ServerCertificateOverride ?? options.Fault switch
        {
            LabFault.CertificateExpired => certificates.Expired,
            LabFault.CertificateWrongName => certificates.WrongName,
            LabFault.CertificateUntrusted => certificates.Untrusted,
            _ => certificates.Valid,
        };

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        LabServer? server = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.ListenAddress, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                if (options.Fault == LabFault.ConnectionReset)
                {
                    // Before TLS: what a firewall or load balancer that resets /mapi connections looks like.
                    listen.Use(_ => connection =>
                    {
                        Socket? socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
                        if (socket is not null)
                        {
                            socket.LingerState = new LingerOption(true, 0);
                            socket.Close();
                        }

                        connection.Abort();
                        return Task.CompletedTask;
                    });
                }

                // The selector sees the SNI name the client sent; keep it with the connection for LabRequest.
                listen.UseHttps(https => https.ServerCertificateSelector = (connection, name) =>
                {
                    if (connection is not null)
                    {
                        connection.Items[SniKey] = name;
                    }

                    return certificate;
                });
            });
        });

        WebApplication app = builder.Build();
        server = new LabServer(app, options, certificate);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellation).ConfigureAwait(false);
        server.Port = options.Port != 0
            ? options.Port
            : new Uri(app.Urls.First()).Port;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        _requests.Enqueue(new LabRequest(
            request.Method,
            request.Path.Value ?? string.Empty,
            request.QueryString.Value ?? string.Empty,
            request.Headers.Host.ToString(),
            context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(SniKey, out object? sni) == true ? sni as string : null,
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray()));

        HttpResponse response = context.Response;
        response.Headers["X-FEServer"] = ShortName;
        response.Headers["request-id"] = Guid.NewGuid().ToString();
        response.Headers["X-Powered-By"] = "ASP.NET";

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            if (Options.Fault == LabFault.Hang)
            {
                await Task.Delay(Timeout.Infinite, linked.Token).ConfigureAwait(false);
            }

            if (Options.Fault == LabFault.Slow)
            {
                await Task.Delay(Options.SlowDelay, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return;
        }

        string path = (request.Path.Value ?? "/").TrimEnd('/');
        string[] segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string vdir = segments.Length > 0 ? segments[0].ToLowerInvariant() : string.Empty;
        bool isMapi = vdir == "mapi";

        if (Options.Fault == LabFault.FrontEndDown || (isMapi && Options.Fault == LabFault.MapiAppPoolStopped))
        {
            // What HTTP.sys answers when the application pool behind the URL is stopped.
            await Text(response, 503, "<h1>Service Unavailable</h1>", "text/html").ConfigureAwait(false);
            return;
        }

        if (!VirtualDirectories.Contains(vdir) || (isMapi && Options.Fault == LabFault.MapiMissing))
        {
            await Text(response, 404, "<h1>404 - File or directory not found.</h1>", "text/html").ConfigureAwait(false);
            return;
        }

        if (segments.Length == 2 && segments[1].Equals("healthcheck.htm", StringComparison.OrdinalIgnoreCase) && request.Method == "GET")
        {
            await Text(response, 200, $"200 OK<br/>{Options.ServerName}", "text/html").ConfigureAwait(false);
            return;
        }

        if (isMapi && segments.Length == 2 && (segments[1].Equals("emsmdb", StringComparison.OrdinalIgnoreCase) || segments[1].Equals("nspi", StringComparison.OrdinalIgnoreCase)) && request.Method == "POST")
        {
            await MapiAsync(context).ConfigureAwait(false);
            return;
        }

        await Text(response, 404, "<h1>404 - File or directory not found.</h1>", "text/html").ConfigureAwait(false);
    }

    private async Task MapiAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        bool authenticated = Options.Fault == LabFault.AnonymousAllowed || IsLabUser(request.Headers.Authorization.ToString());
        if (!authenticated)
        {
            response.StatusCode = 401;
            foreach (string method in Options.AuthenticationMethods)
            {
                string? challenge = method.ToUpperInvariant() switch
                {
                    "NEGOTIATE" when Options.Fault == LabFault.NegotiateMissing => null,
                    "NEGOTIATE" => "Negotiate",
                    "NTLM" => "NTLM",
                    "BASIC" => "Basic realm=\"mail.contoso.lab\"",
                    "OAUTH" or "BEARER" => "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", token_types=\"app_asserted_user_v1 service_asserted_app_v1\", authorization_uri=\"https://login.windows.net/common/oauth2/authorize\"",
                    _ => method,
                };
                if (challenge is not null)
                {
                    response.Headers.Append("WWW-Authenticate", challenge);
                }
            }

            response.Headers["X-FailureContext"] = "FrontEnd;401;WW50aWNhdGlvbg==;;;;";
            response.ContentLength = 0;
            return;
        }

        string requestType = request.Headers["X-RequestType"].ToString();
        string requestId = request.Headers["X-RequestId"].ToString();
        string clientInfo = request.Headers["X-ClientInfo"].ToString();
        response.StatusCode = 200;
        response.ContentType = "application/mapi-http";
        response.Headers["X-RequestType"] = requestType;
        response.Headers["X-ServerApplication"] = "Exchange/" + Options.ExchangeBuild;
        response.Headers["X-ExpirationInfo"] = "900000";
        response.Headers["X-PendingPeriod"] = "15000";
        response.Headers["X-BEServer"] = Options.BackEndServer.Split('.')[0];
        response.Headers["X-CalculatedBETarget"] = Options.BackEndServer.ToLowerInvariant();
        if (requestId.Length > 0)
        {
            response.Headers["X-RequestId"] = requestId;
        }

        if (clientInfo.Length > 0)
        {
            response.Headers["X-ClientInfo"] = clientInfo;
        }

        // Exchange answers 200 with X-ResponseCode 7 (Missing Header) when a required header is absent.
        response.Headers["X-ResponseCode"] = requestId.Length == 0 || clientInfo.Length == 0 || requestType.Length == 0 ? "7" : "0";

        // Chunked in two flushes, as the front end streams PROCESSING before DONE (MS-OXCMAPIHTTP 2.2.7).
        await response.WriteAsync("PROCESSING\r\n").ConfigureAwait(false);
        await response.Body.FlushAsync().ConfigureAwait(false);
        await response.WriteAsync($"DONE\r\nX-ElapsedTime: 1\r\nX-StartTime: {DateTime.UtcNow:R}\r\n\r\n").ConfigureAwait(false);
    }

    private bool IsLabUser(string authorization)
    {
        if (!authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            string pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization.Substring(6).Trim()));
            return pair == $"{Options.BasicUser}:{Options.BasicPassword}";
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static Task Text(HttpResponse response, int status, string text, string contentType)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes, 0, bytes.Length);
    }
}
