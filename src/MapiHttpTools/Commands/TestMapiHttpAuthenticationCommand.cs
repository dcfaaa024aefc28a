using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Exchange;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Kerberos;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Commands;

/// <summary>
/// Checks what Negotiate needs behind the MAPI namespace (issue 14): the Alternate Service Account on every Client Access
/// server, HTTP/&lt;namespace&gt; on exactly that account, and /mapi's Windows authentication compared on three sides (the
/// vdir's IISAuthenticationMethods, IIS's providers, what the wire offers). Live where it can, from saved files anywhere.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MapiHttpAuthentication")]
[OutputType(typeof(MapiHttpConfigurationResult))]
public sealed class TestMapiHttpAuthenticationCommand : MapiHttpCmdletBase
{
    private readonly List<VirtualDirectorySide> _directories = new();
    private readonly List<MapiHttpResult> _probe = new();

    /// <summary>The load-balanced names whose HTTP SPN to check; default the hosts of the MAPI virtual directories' URLs.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[]? Namespace { get; set; }

    /// <summary>The virtual directory's Identity (from a piped Get-MapiVirtualDirectory).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public object? Identity { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public object? Server { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public object? InternalUrl { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public object? ExternalUrl { get; set; }

    /// <summary>object, not object[] (issue 11): a deserialized enum keeps its name only in its ToString.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyCollection]
    public object? IISAuthenticationMethods { get; set; }

    /// <summary>Test-MapiHttpEndpoint's results: the EmsmdbAnonymous steps say what the wire offered.</summary>
    [Parameter(ValueFromPipeline = true)]
    [ValidateNotNull]
    public MapiHttpEndpointResult[]? ProbeResult { get; set; }

    /// <summary>Saved output of setspn -Q HTTP/&lt;namespace&gt;, setspn -X or setspn -L (UTF-16 or UTF-8).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? SetspnOutputPath { get; set; }

    /// <summary>Get-ClientAccessService -IncludeAlternateServiceAccountCredentialStatus | Export-Clixml.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ClientAccessServicePath { get; set; }

    /// <summary>A copy of the server's %windir%\System32\inetsrv\config\applicationHost.config.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ApplicationHostConfigPath { get; set; }

    /// <summary>Do not probe /mapi for the wire side when no -ProbeResult is given.</summary>
    [Parameter]
    public SwitchParameter SkipEndpointTest { get; set; }

    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 15;

    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>True when -ProbeResult came on the command line: it then stays bound for every piped virtual directory.</summary>
    private bool _probeGiven;

    protected override void BeginProcessing()
    {
        if (ProbeResult is { Length: > 0 })
        {
            _probeGiven = true;
            _probe.AddRange(ProbeResult.Where(r => r is not null));
        }
    }

    protected override void ProcessRecord()
    {
        if (!_probeGiven && ProbeResult is { Length: > 0 })
        {
            // A piped probe result binds Identity and Server by name too: it is the wire side, not a virtual directory.
            _probe.AddRange(ProbeResult.Where(r => r is not null && !_probe.Contains(r)));
            return;
        }

        if (Identity is not null || InternalUrl is not null || ExternalUrl is not null || IISAuthenticationMethods is not null)
        {
            _directories.Add(AuthenticationFactReader.VirtualDirectory(Identity, Server, InternalUrl, ExternalUrl, IISAuthenticationMethods));
        }
    }

    protected override void EndProcessing()
    {
        RunspaceCommandRunner exchange = RunspaceCommandRunner.Inline(this, new[] { "Get-ClientAccessService", "Get-MapiVirtualDirectory" });
        AsaInventory asa;
        ISpnSource spnSource;
        IisSide iis;
        try
        {
            spnSource = SetspnOutputPath is { Length: > 0 }
                ? AuthenticationFactReader.ReadSetspn(SetspnOutputPath.Select(p => (p, GetUnresolvedProviderPathFromPSPath(p))).ToArray())
                : Services.SpnSource ?? new ActiveDirectorySpnSource();
            asa = ClientAccessServicePath is not null
                ? AuthenticationFactReader.ReadClientAccessFile(ClientAccessServicePath, GetUnresolvedProviderPathFromPSPath(ClientAccessServicePath), CancelToken)
                : AuthenticationFactReader.ReadClientAccessLive(exchange, CancelToken);
            if (_directories.Count == 0 && _probe.Count == 0)
            {
                _directories.AddRange(AuthenticationFactReader.ReadVirtualDirectoriesLive(exchange, WriteWarning, CancelToken));
            }

            string? iisServer = _directories.Select(d => d.Server).Where(s => s is not null).Distinct(StringComparer.OrdinalIgnoreCase).Count() == 1 ? _directories.First(d => d.Server is not null).Server : null;
            iis = ApplicationHostConfigPath is not null
                ? AuthenticationFactReader.ReadIisFile(ApplicationHostConfigPath, GetUnresolvedProviderPathFromPSPath(ApplicationHostConfigPath), iisServer, CancelToken)
                : Services.MapiIisSideReader?.Invoke(null) ?? AuthenticationFactReader.ReadIisLive(Environment.MachineName, null);
        }
        catch (InputFileException ex)
        {
            ThrowTerminatingError(ex.ToErrorRecord());
            return;
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }

        IReadOnlyList<string> namespaces = Namespace is { Length: > 0 }
            ? Namespace.Select(n => MapiAuthenticationChecks.HostOf(n) ?? n.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToArray()
            : MapiAuthenticationChecks.NamespacesOf(_directories.Concat(_probe.Select(p => new VirtualDirectorySide(null, null, null, new[] { MapiAuthenticationChecks.HostOf(p.Target) ?? string.Empty }))));
        if (namespaces.Count == 0)
        {
            WriteWarning("No namespace to check for its HTTP SPN: pass -Namespace, pipe Get-MapiVirtualDirectory, or run where Get-MapiVirtualDirectory is available.");
        }

        IReadOnlyList<WireSide> wire = _probe.Count > 0 || SkipEndpointTest || namespaces.Count == 0 ? MapiAuthenticationChecks.WireFrom(_probe) : Probe(namespaces);
        string[] servers = asa.Servers.Select(s => s.Server).Concat(_directories.Select(d => d.Server).Where(s => s is not null).Select(s => s!))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var facts = new AuthenticationFacts(
            namespaces,
            namespaces.Select(n => spnSource.Lookup("HTTP/" + n)).ToArray(),
            asa,
            servers,
            _directories,
            new[] { iis },
            wire);
        foreach (MapiHttpConfigurationResult result in MapiAuthenticationChecks.Judge(facts))
        {
            WriteObject(result);
        }
    }

    /// <summary>The anonymous challenge of each namespace's /mapi through Test-MapiHttpEndpoint's engine.</summary>
    private IReadOnlyList<WireSide> Probe(IReadOnlyList<string> namespaces)
    {
        // The virtual directories' URLs as set (a port included), then https://<namespace>/mapi for a namespace none of them names.
        Uri[] urls = _directories.SelectMany(d => d.Urls)
            .Concat(namespaces.Where(n => !_directories.Any(d => d.Hosts.Contains(n, StringComparer.OrdinalIgnoreCase))).Select(n => new Uri($"https://{n}/mapi")))
            .GroupBy(u => u.GetLeftPart(UriPartial.Authority), StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToArray();
        var targets = urls.Select(u => new ProbeTarget(u, null, null, AuthenticationSchemes.DefaultExpected, "the default, Negotiate and NTLM")).ToArray();
        var options = new ProbeOptions { Timeout = TimeSpan.FromSeconds(TimeoutSec), SkipCertificateCheck = SkipCertificateCheck, Resolver = Services.Resolver };
        var seen = new List<MapiHttpResult>();
        WriteVerbose($"Probing {string.Join(", ", targets.Select(t => t.Uri))} for the schemes /mapi offers (skip with -SkipEndpointTest, or pipe Test-MapiHttpEndpoint's results).");
        RunAsync(async (_, cancellation) => await new EndpointProber(options).ProbeAsync(targets, r =>
        {
            lock (seen)
            {
                seen.Add(r);
            }
        }, null, cancellation).ConfigureAwait(false));
        return MapiAuthenticationChecks.WireFrom(seen);
    }
}
