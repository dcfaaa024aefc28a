using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using MapiHttpTools.ClientState;
using MapiHttpTools.Probing;
using MapiHttpTools.Repair;

namespace MapiHttpTools.Infrastructure;

/// <summary>
/// The module's replaceable services, one set per runspace (as PSOpenAD keeps its state per session). In production
/// every property is null and the cmdlets use the live implementation (DNS, the Windows registry, IIS). Tests that
/// host the engine set them on their own runspace through <see cref="For(Runspace)"/>, so two tests' runspaces never
/// see each other's stand-ins and test classes can run in parallel (issue 12: no process-wide static seams).
/// </summary>
internal sealed class ModuleServices
{
    private static readonly ConditionalWeakTable<Runspace, ModuleServices> ByRunspace = new();

    /// <summary>Stands in for DNS: the endpoint probe, the diagnostic, the snapshot's DNS answers and the repair's verification.</summary>
    public IHostResolver? HostResolver { get; set; }

    /// <summary>Given a server name, the IIS target Repair-MapiVirtualDirectory uses instead of live IIS.</summary>
    public Func<string, IIisRepairTarget>? IisRepairTargetFactory { get; set; }

    /// <summary>Stands in for the live Windows registry in the client-state cmdlets (reads, and writes when it is an <see cref="IRegistryWriter"/>).</summary>
    public IRegistrySource? Registry { get; set; }

    /// <summary>Stands in for the current user's Credential Manager.</summary>
    public ICredentialStore? CredentialStore { get; set; }

    /// <summary>
    /// Where the repair cmdlets put their backups when -BackupPath is not given; null means the user's profile
    /// (%LOCALAPPDATA%\MapiHttpTools\Backup, ~/.local/share/MapiHttpTools/Backup). Tests point it at their own
    /// temporary folder so that no test writes into the real profile (issue 11).
    /// </summary>
    public string? DefaultBackupFolder { get; set; }

    /// <summary>
    /// Stands in for "this machine is Windows" where Test-ExchangeClientProtocol reads Exchange's Windows services through
    /// Get-Service (issue 16): tests on Linux set it with a stand-in Get-Service; null means the real platform.
    /// </summary>
    public bool? IsWindows { get; set; }

    /// <summary>Given the probe options, the endpoint probe Invoke-MapiHttpDiagnostic runs instead of the network one.</summary>
    public Func<ProbeOptions, Diagnostics.IEndpointProbeStage>? EndpointProbeStageFactory { get; set; }

    /// <summary>The Autodiscover stage Invoke-MapiHttpDiagnostic -Mailbox runs instead of asking the network.</summary>
    public Func<Diagnostics.IAutodiscoverDiagnosticStage>? AutodiscoverStageFactory { get; set; }

    /// <summary>
    /// Ports by scheme (imaps, imap, pops, pop) that Invoke-MapiHttpDiagnostic -IncludeProtocol probes instead of
    /// 993/143/995/110 (issue 16): tests point them at Dovecot on high ports.
    /// </summary>
    public System.Collections.Generic.IReadOnlyDictionary<string, int>? MailPorts { get; set; }

    /// <summary>
    /// The DNS servers the Autodiscover SRV lookup asks instead of the system's (issue 14): tests point it at their own
    /// dnsmasq on 127.0.0.1, or set it empty so that no test asks the machine's resolvers; -DnsServer still wins.
    /// </summary>
    public System.Collections.Generic.IReadOnlyList<System.Net.IPEndPoint>? DnsServers { get; set; }

    /// <summary>
    /// Stands in for Active Directory where Test-MapiHttpAuthentication and Invoke-MapiHttpDiagnostic look up who holds
    /// HTTP/&lt;namespace&gt; (issue 14): tests on Linux, where there is no domain, hand in the accounts.
    /// </summary>
    public Kerberos.ISpnSource? SpnSource { get; set; }

    /// <summary>
    /// Given a server name (null: this computer), /mapi's IIS security that the authentication checks read instead of
    /// live IIS (issue 14): tests hand in an applicationHost.config variant as a server's IIS.
    /// </summary>
    public Func<string?, Kerberos.IisSide>? MapiIisSideReader { get; set; }

    /// <summary>The services of <paramref name="runspace"/>, made empty on first use.</summary>
    public static ModuleServices For(Runspace runspace)
    {
        if (runspace is null)
        {
            throw new ArgumentNullException(nameof(runspace));
        }

        return ByRunspace.GetValue(runspace, _ => new ModuleServices());
    }

    /// <summary>
    /// The services of the runspace running the calling pipeline. Read it on the pipeline thread (BeginProcessing or
    /// later), never from a worker thread, where there is no default runspace.
    /// </summary>
    public static ModuleServices Current => Runspace.DefaultRunspace is { } runspace ? For(runspace) : Empty;

    /// <summary>No stand-ins: what a thread without a runspace gets.</summary>
    private static ModuleServices Empty { get; } = new();

    /// <summary>The backup folder to use without -BackupPath: the stand-in, else MapiHttpTools\Backup in the user's local application data.</summary>
    public string BackupFolder => DefaultBackupFolder ?? ProfileBackupFolder();

    /// <summary>The host resolver to use: the stand-in, else real DNS.</summary>
    public IHostResolver Resolver => HostResolver ?? DnsHostResolver.Instance;

    /// <summary>MapiHttpTools\Backup under the user's local application data (the profile; never used by tests).</summary>
    internal static string ProfileBackupFolder()
    {
        string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        if (string.IsNullOrEmpty(local))
        {
            local = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return System.IO.Path.Combine(local, "MapiHttpTools", "Backup");
    }
}
