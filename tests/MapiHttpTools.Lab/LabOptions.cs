using System;
using System.Net;

namespace MapiHttpTools.Lab;

/// <summary>How one lab Exchange front end looks and what is wrong with it.</summary>
public sealed class LabOptions
{
    /// <summary>Front-end FQDN: its first label goes into X-FEServer, the whole name into the healthcheck body.</summary>
    public string ServerName { get; init; } = "EX01.contoso.lab";

    /// <summary>Mailbox (back-end) server FQDN: X-BEServer (first label) and X-CalculatedBETarget (lower case).</summary>
    public string BackEndServer { get; init; } = "EX02.contoso.lab";

    /// <summary>Loopback address to bind; 127.0.0.2 and so on also work on Linux.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    public LabFault Fault { get; init; } = LabFault.None;

    /// <summary>Delay before every response under <see cref="LabFault.Slow"/>.</summary>
    public TimeSpan SlowDelay { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The one account the lab accepts with Basic authentication (even when Basic is not offered).</summary>
    public string BasicUser { get; init; } = @"CONTOSO\labuser";

    public string BasicPassword { get; init; } = "P@ssw0rd!lab";

    /// <summary>Build reported in X-ServerApplication (Exchange/{build}).</summary>
    public string ExchangeBuild { get; init; } = "15.02.1258.012";

    /// <summary>
    /// Methods offered on /mapi 401s, one WWW-Authenticate header each, in this order:
    /// "Negotiate", "NTLM", "Basic", "OAuth" (or "Bearer"). Unknown names are ignored.
    /// </summary>
    public string[] AuthenticationMethods { get; init; } = { "Negotiate", "NTLM" };

    /// <summary>Listen with plain HTTP instead of HTTPS (a load balancer that offloads TLS); <see cref="LabServer.MapiUri"/> is then http.</summary>
    public bool PlainHttp { get; init; }

    /// <summary>
    /// Issue 19: the status the named virtual directories' healthcheck.htm answer with, from the application (IIS
    /// headers), e.g. mapi and ews 503 beside a healthy owa: a mixed front end. Unnamed ones answer 200 OK.
    /// </summary>
    public System.Collections.Generic.IReadOnlyDictionary<string, int>? HealthPageStatus { get; init; }

    /// <summary>Issue 19: every authenticated PING is answered 200 with this X-ResponseCode (MS-OXCMAPIHTTP 2.2.3.3.3) instead of 0.</summary>
    public int? PingResponseCode { get; init; }

    /// <summary>Serve this certificate instead of the one the fault picks (e.g. LabCertificates.ExpiringSoon).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ServerCertificateOverride { get; init; }
}
