using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Diagnostics;
using MapiHttpTools.Lab;
using MapiHttpTools.Probing;
using MapiHttpTools.Tests;
using MapiHttpTools.Tests.Exchange;

namespace MapiHttpTools.Benchmarks;

/// <summary>
/// Issue 18: Invoke-MapiHttpDiagnostic over 40 servers as a ratio to one server. The Exchange cmdlets are the xunit
/// suite's stand-ins (ExchangeLab: CLIXML-shaped objects, EX01..EX40 behind mail.contoso.lab); the endpoint stage is
/// the real one (ProbeEndpointStage, through the EndpointProbeStageFactory seam only to skip the certificate check,
/// so the user's trust store is left alone) against real lab front ends, one per server on its own 127.0.0.x
/// address, each answering every request 300 ms late. Loopback only; 1 + 3 + 3 runs.
/// </summary>
internal static class DiagnosticFanOut
{
    private const int Servers = 40;
    private const double Bound = 5;

    public static void Run()
    {
        using LabCertificates certificates = LabCertificates.Create();
        var fronts = new List<LabServer>();
        try
        {
            // mail.contoso.lab (the namespace) on 127.0.0.10, EXnn on 127.0.0.(10+nn), one port for all.
            LabServer balancer = Start(certificates, "EX01.contoso.lab", "127.0.0.10", 0);
            fronts.Add(balancer);
            for (int i = 1; i <= Servers; i++)
            {
                fronts.Add(Start(certificates, $"EX{i:00}.contoso.lab", $"127.0.0.{10 + i}", balancer.Port));
            }

            string url = $"https://mail.contoso.lab:{balancer.Port}/mapi";
            var (oneSeconds, oneResults) = Measure(Names(1), url);
            var (fortySeconds, fortyResults) = Measure(Names(Servers), url);
            double ratio = fortySeconds / oneSeconds;
            Console.WriteLine();
            Console.WriteLine($"Invoke-MapiHttpDiagnostic -SkipIisCheck -ThrottleLimit 40 (stand-in Exchange cmdlets; real endpoint stage against lab front ends on 127.0.0.11-50, each answering 300 ms late; no endpoint result Fail or Error (the lab root is not trusted: TLS is a Warning); median of 3): " +
                              $"one server {oneSeconds:0.00} s ({oneResults} results); 40 servers {fortySeconds:0.00} s ({fortyResults} results); {ratio:0.00}x one (held to < {Bound:0}x: {(ratio < Bound ? "met" : "NOT met")})");
            // At the default -ThrottleLimit of 8, 40 servers take about five rounds (5.3x measured); the run above uses 40.
        }
        finally
        {
            foreach (LabServer front in fronts)
            {
                front.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
    }

    private static string[] Names(int count) => Enumerable.Range(1, count).Select(i => $"EX{i:00}").ToArray();

    private static LabServer Start(LabCertificates certificates, string name, string address, int port) =>
        LabServer.StartAsync(new LabOptions
        {
            ServerName = name,
            ListenAddress = IPAddress.Parse(address),
            Port = port,
            AuthenticationMethods = new[] { "Negotiate", "NTLM", "OAuth" },
            Fault = LabFault.Slow,
            SlowDelay = TimeSpan.FromMilliseconds(300),
        }, certificates).GetAwaiter().GetResult();

    /// <summary>One session per organisation size; one warm-up run, then the median of three.</summary>
    private static (double Seconds, int Results) Measure(string[] servers, string url)
    {
        ExchangeLab lab = ExchangeLab.Contoso(servers);
        foreach (string server in servers)
        {
            lab.ReplaceVirtualDirectory(server, ExchangeObjects.MapiVirtualDirectory(server, url, url));
        }

        using var session = new ModuleSession();
        lab.Install(session);
        session.Services().HostResolver = new Resolver();
        session.Services().EndpointProbeStageFactory = o => new ProbeEndpointStage(new ProbeOptions
        {
            Timeout = o.Timeout,
            CertificateExpiryWarningDays = o.CertificateExpiryWarningDays,
            CompareVirtualDirectories = o.CompareVirtualDirectories,
            Resolver = o.Resolver,
            ThrottleLimit = o.ThrottleLimit,
            SkipCertificateCheck = true,
        });

        (double Seconds, int Results) Once()
        {
            var clock = Stopwatch.StartNew();
            ScriptResult result = session.Invoke("Invoke-MapiHttpDiagnostic -SkipIisCheck -TimeoutSec 15 -ThrottleLimit 40");
            double seconds = clock.Elapsed.TotalSeconds;
            if (result.Errors.Count > 0)
            {
                throw new InvalidOperationException("Invoke-MapiHttpDiagnostic wrote errors: " + string.Join("; ", result.Errors));
            }

            // The time counts only if the probes got through: a front end not answering would fail fast or time out.
            int failed = result.Output.Select(o => o.BaseObject).OfType<MapiHttpEndpointResult>().Count(r => r.Status is CheckStatus.Fail or CheckStatus.Error);
            if (failed > 0)
            {
                throw new InvalidOperationException($"{failed} endpoint results failed against the lab front ends: " + string.Join("; ", result.Output.Select(o => o.BaseObject).OfType<MapiHttpEndpointResult>().Where(r => r.Status is CheckStatus.Fail or CheckStatus.Error).Select(r => $"{r.Server} {r.Check} {r.Status} {r.Message}").Distinct().Take(8)));
            }

            return (seconds, result.Output.Count);
        }

        Once();
        return Enumerable.Range(0, 3).Select(_ => Once()).OrderBy(r => r.Seconds).ElementAt(1);
    }

    /// <summary>The stand-in DNS: the namespace on 127.0.0.10, exNN.contoso.lab on 127.0.0.(10+NN).</summary>
    private sealed class Resolver : IHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation)
        {
            string h = host.ToLowerInvariant();
            if (h is "mail.contoso.lab" or "autodiscover.contoso.lab")
            {
                return Task.FromResult(new[] { IPAddress.Parse("127.0.0.10") });
            }

            if (h.StartsWith("ex", StringComparison.Ordinal) && h.EndsWith(".contoso.lab", StringComparison.Ordinal) && int.TryParse(h.AsSpan(2, h.Length - 2 - ".contoso.lab".Length), out int n) && n is >= 1 and <= Servers)
            {
                return Task.FromResult(new[] { IPAddress.Parse($"127.0.0.{10 + n}") });
            }

            return Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));
        }
    }
}
