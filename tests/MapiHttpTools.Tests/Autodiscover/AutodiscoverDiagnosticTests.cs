using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Diagnostics;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Exchange;
using MapiHttpTools.Tests.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Autodiscover;

/// <summary>Invoke-MapiHttpDiagnostic -Mailbox asks Autodiscover for each mailbox, and the verdict uses the answer (issue 14).</summary>
[Collection("Lab")]
public sealed class AutodiscoverDiagnosticTests
{
    private readonly LabFixture _lab;

    public AutodiscoverDiagnosticTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task Mailbox_run_asks_the_scp_and_the_verdict_names_the_wrong_urls()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.AutodiscoverWrongUrls, ListenAddress = IPAddress.Parse("127.0.0.10") }, _lab.Certificates);
        using var session = new ModuleSession();
        ExchangeLab.Contoso().Install(session);
        session.Services().HostResolver = new LabResolver();
        session.Services().EndpointProbeStageFactory = _ => new NoProbe();
        session.Invoke(
            "function global:Get-ClientAccessService { [CmdletBinding()] param([switch] $IncludeAlternateServiceAccountCredentialStatus) " +
            "$global:ExchangeCalls.Add([pscustomobject]@{ Command = 'Get-ClientAccessService'; Parameters = @{} }); [pscustomobject]@{ Name = 'EX01'; AutoDiscoverServiceInternalUri = [uri]$scp } }",
            new() { ["scp"] = server.AutodiscoverUri.AbsoluteUri });

        ScriptResult run = session.Invoke("$global:scp = $scp; Invoke-MapiHttpDiagnostic -Mailbox alice -SkipIisCheck -TimeoutSec 5 -Credential $cred",
            new() { ["scp"] = server.AutodiscoverUri.AbsoluteUri, ["cred"] = new PSCredential(server.Options.BasicUser, Secure(server.Options.BasicPassword)) });

        Assert.Empty(run.Errors);
        MapiHttpAutodiscoverResult[] autodiscover = run.Objects<MapiHttpAutodiscoverResult>().ToArray();
        Assert.Equal(server.AutodiscoverUri.AbsoluteUri, autodiscover[0].Uri);
        Assert.Equal("alice@contoso.lab", autodiscover[0].EmailAddress);
        MapiHttpAutodiscoverResult block = autodiscover.Single(r => r.Check == "MapiHttp");
        Assert.Equal(MapiHttpCause.VirtualDirectory, block.Cause);
        Assert.Contains("'wrong.contoso.lab' does not resolve", block.Message);
        Assert.Contains($"is not the InternalUrl of any MAPI virtual directory (EX01\\mapi (Default Web Site): https://mail.contoso.lab/mapi", block.Message);
        Assert.All(autodiscover.Where(r => r.Check == "Candidate"), r => Assert.Equal(CheckStatus.Skipped, r.Status));

        MapiHttpVerdictResult verdict = run.Objects<MapiHttpVerdictResult>().Single();
        Assert.Contains(MapiHttpCause.VirtualDirectory, verdict.Causes);
        Assert.Contains(verdict.Findings, f => f.Cause == MapiHttpCause.VirtualDirectory && f.Message.Contains("wrong.contoso.lab", StringComparison.Ordinal));
        Assert.Contains(ExchangeLab.Calls(session), c => c.Command == "Get-ClientAccessService");
        Assert.Contains(server.Requests, r => r.Path == "/autodiscover/autodiscover.xml" && r.Headers.ContainsKey("Authorization") && r.Headers["X-MapiHttpCapability"] == "1");
    }

    [Fact]
    public void A_client_access_service_cmdlet_that_writes_null_is_no_scp_not_a_crash()
    {
        // Found by the issue 16 work: a Get-ClientAccessService that writes $null threw a NullReferenceException
        // out of Invoke-MapiHttpDiagnostic -Mailbox. A null item is no object: the SCP list is then empty.
        using var session = new ModuleSession();
        ExchangeLab.Contoso().Install(session);
        session.Services().HostResolver = new LabResolver();
        session.Services().EndpointProbeStageFactory = _ => new NoProbe();
        session.Invoke(
            "function global:Get-ClientAccessService { [CmdletBinding()] param([switch] $IncludeAlternateServiceAccountCredentialStatus) " +
            "$global:ExchangeCalls.Add([pscustomobject]@{ Command = 'Get-ClientAccessService'; Parameters = @{} }); $null }");

        ScriptResult run = session.InvokeCatching("Invoke-MapiHttpDiagnostic -Mailbox alice -SkipIisCheck -SkipEndpointTest -TimeoutSec 1");

        Assert.Null(run.TerminatingError);
        Assert.DoesNotContain(run.Errors, e => e.FullyQualifiedErrorId.Contains("NullReference", StringComparison.Ordinal));
        Assert.Contains(ExchangeLab.Calls(session), c => c.Command == "Get-ClientAccessService");
        Assert.Single(run.Objects<MapiHttpVerdictResult>());
    }

    [Fact]
    public void Without_mailboxes_autodiscover_is_not_asked()
    {
        using var session = new ModuleSession();
        ExchangeLab.Contoso().Install(session);
        session.Services().HostResolver = new LabResolver();
        session.Services().EndpointProbeStageFactory = _ => new NoProbe();

        ScriptResult run = session.Invoke("Invoke-MapiHttpDiagnostic -SkipIisCheck -TimeoutSec 5");

        Assert.Empty(run.Objects<MapiHttpAutodiscoverResult>());
    }

    private static System.Security.SecureString Secure(string text)
    {
        var secure = new System.Security.SecureString();
        foreach (char c in text)
        {
            secure.AppendChar(c);
        }

        return secure;
    }

    private sealed class NoProbe : IEndpointProbeStage
    {
        public Task RunAsync(IReadOnlyList<EndpointProbeRequest> requests, Action<MapiHttpResult, bool> emit, Action<int, int>? progress, CancellationToken cancellation) => Task.CompletedTask;
    }
}
