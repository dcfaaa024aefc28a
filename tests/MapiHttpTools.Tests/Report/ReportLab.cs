using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Diagnostics;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Exchange;

namespace MapiHttpTools.Tests.Report;

/// <summary>
/// The lab's faults in one diagnostic run (issue 15): EX01 healthy, EX02's MAPI virtual directory without OAuth
/// (Warning), EX03's MapiProxy component set Inactive by Maintenance and its /mapi answering 503 (AppPool), bob with
/// MAPI/HTTP off. EX01 runs Exchange 2019 CU14 Nov24SUv2 (15.2.1544.14), EX02 CU11 (15.2.986.5, the real export),
/// EX03 a CU15 build newer than the build table (15.2.1748.60). The endpoint stage stands in for the probe (the lab
/// front ends are tested elsewhere), and the Autodiscover stage of -Mailbox answers nothing (its own tests run it
/// against the lab's /autodiscover).
/// </summary>
internal static class ReportLab
{
    public static ModuleSession Session(System.IO.TextWriter? host = null)
    {
        ExchangeLab lab = ExchangeLab.Contoso("EX01", "EX02", "EX03");
        lab.ReplaceVirtualDirectory("EX02", ExchangeObjects.MapiVirtualDirectory("EX02", "https://mail.contoso.lab/mapi", "https://mail.contoso.lab/mapi", new[] { "Ntlm", "Negotiate" }));
        lab.SetComponent("EX03", "MapiProxy", "Inactive", "Maintenance");
        // Mixed builds, as during an update round: a listed update, the real export's CU11, a CU15 build newer than the table.
        lab.SetBuild("EX01", new Version(15, 2, 1544, 14));
        lab.SetBuild("EX03", new Version(15, 2, 1748, 60));
        var session = new ModuleSession(host);
        lab.Install(session);
        session.Services().EndpointProbeStageFactory = _ => new Stage();
        session.Services().AutodiscoverStageFactory = () => new NoAutodiscover();
        return session;
    }

    public const string Run = "Invoke-MapiHttpDiagnostic -SkipIisCheck -Mailbox bob";

    private sealed class NoAutodiscover : IAutodiscoverDiagnosticStage
    {
        public Task RunAsync(IReadOnlyList<MapiHttpMailboxStateResult> mailboxes, IReadOnlyList<MapiHttpTools.Exchange.MapiVirtualDirectoryFacts> directories, Action<MapiHttpResult> emit, CancellationToken cancellation) =>
            Task.CompletedTask;
    }

    private sealed class Stage : IEndpointProbeStage
    {
        public Task RunAsync(IReadOnlyList<EndpointProbeRequest> requests, Action<MapiHttpResult, bool> emit, Action<int, int>? progress, CancellationToken cancellation)
        {
            foreach (EndpointProbeRequest request in requests)
            {
                if (request.IsNamespace)
                {
                    continue;
                }

                string address = request.Server switch { "EX01" => "10.0.0.11", "EX02" => "10.0.0.12", _ => "10.0.0.13" };
                emit(new MapiHttpEndpointResult("HealthCheck:owa", CheckStatus.Pass, MapiHttpCause.None, $"https://{request.Server!.ToLowerInvariant()}.contoso.lab/owa/healthcheck.htm", address, request.Server, null, 12, 200, false, "OWA health check answers 200.", null, null), false);
                emit(request.Server == "EX03"
                    ? new MapiHttpEndpointResult("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, request.Url.AbsoluteUri + "/healthcheck.htm", address, request.Server, request.Identity, 35, 503, false,
                        "The MAPI health check answers 503 Service Unavailable: MSExchangeMapiFrontEndAppPool is stopped or crashing.",
                        "Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool",
                        new[] { new KeyValuePair<string, object?>("StatusCode", 503), new KeyValuePair<string, object?>("Server", "Microsoft-IIS/10.0") })
                    : new MapiHttpEndpointResult("HealthCheck", CheckStatus.Pass, MapiHttpCause.None, request.Url.AbsoluteUri + "/healthcheck.htm", address, request.Server, request.Identity, 9, 200, false, "The MAPI health check answers 200.", null,
                        new[] { new KeyValuePair<string, object?>("StatusCode", 200) }), false);
            }

            return Task.CompletedTask;
        }
    }
}
