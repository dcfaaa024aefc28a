using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Exchange;
using MapiHttpTools.Lab;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>
/// An Exchange organisation for tests: the objects its cmdlets return (real exports where there are some), served by
/// stand-in Exchange functions in a hosted session that record every call, or read directly by <see cref="Source"/>.
/// </summary>
internal sealed class ExchangeLab
{
    public static readonly DateTime Now = DateTime.UtcNow;

    public PSObject Organization { get; set; } = ExchangeObjects.Fixture("GetOrganizationConfig.xml")[0];

    public List<PSObject> Servers { get; } = new();

    public List<PSObject> VirtualDirectories { get; } = new();

    public Dictionary<string, List<PSObject>> Certificates { get; } = new(StringComparer.OrdinalIgnoreCase);

    public PSObject? AuthConfig { get; set; }

    public List<PSObject> AuthServers { get; } = new();

    public List<PSObject> ComponentStates { get; } = new();

    public List<PSObject> OutlookAnywhere { get; } = new();

    public List<PSObject> Mailboxes { get; } = new();

    /// <summary>When set, Get-CASMailbox makes this many mailboxes on the fly (streaming tests) instead of returning <see cref="Mailboxes"/>.</summary>
    public int GeneratedMailboxes { get; set; }

    /// <summary>When set, Get-CASMailbox rejects any -Filter the way Exchange rejects a property it cannot filter on.</summary>
    public string? RejectFilterProperty { get; set; }

    /// <summary>When set, a Get-CASMailbox scan (no -Identity) stops with this terminating error.</summary>
    public string? ScanFailure { get; set; }

    /// <summary>Calls that fail with a non-terminating error, as "Get-ExchangeCertificate:EX02" or "Get-AuthConfig".</summary>
    public HashSet<string> Failing { get; } = new(StringComparer.OrdinalIgnoreCase);

    public X509Certificate2? MailCertificate { get; private set; }

    public X509Certificate2? AuthCertificate { get; private set; }

    /// <summary>
    /// contoso.lab: EX01 and EX02 behind mail.contoso.lab, a CA-issued certificate for the namespace and both
    /// server names enabled for IIS, a valid Auth certificate, every component active, five mailboxes.
    /// </summary>
    public static ExchangeLab Contoso(params string[] servers)
    {
        if (servers.Length == 0)
        {
            servers = new[] { "EX01", "EX02" };
        }

        var lab = new ExchangeLab();
        string[] names = new[] { "mail.contoso.lab", "autodiscover.contoso.lab" }.Concat(servers.Select(s => s.ToLowerInvariant() + ".contoso.lab")).ToArray();
        lab.MailCertificate = LabPki.Server("CN=mail.contoso.lab", names, Now.AddDays(-30), Now.AddDays(365));
        lab.AuthCertificate = LabPki.SelfSigned("CN=Microsoft Exchange Server Auth Certificate", Array.Empty<string>(), Now.AddDays(-30), Now.AddYears(5));
        foreach (string server in servers)
        {
            lab.Servers.Add(ExchangeObjects.Fixture("GetExchangeServer.xml", ExchangeObjects.AsContosoServer(server))[0]);
            lab.VirtualDirectories.Add(ExchangeObjects.MapiVirtualDirectory(server, "https://mail.contoso.lab/mapi", "https://mail.contoso.lab/mapi"));
            lab.Certificates[server] = new List<PSObject>
            {
                ExchangeObjects.Certificate(lab.MailCertificate, "IMAP, POP, IIS, SMTP"),
                ExchangeObjects.Certificate(lab.AuthCertificate, "SMTP"),
            };
            lab.ComponentStates.AddRange(ExchangeObjects.Fixture("GetServerComponentState.xml", ExchangeObjects.AsContosoServer(server)));
            lab.OutlookAnywhere.Add(ExchangeObjects.OutlookAnywhere(server, "mail.contoso.lab", "mail.contoso.lab"));
        }

        lab.AuthConfig = ExchangeObjects.AuthConfig(lab.AuthCertificate.Thumbprint);
        lab.Mailboxes.Add(ExchangeObjects.CasMailbox("alice"));
        lab.Mailboxes.Add(ExchangeObjects.CasMailbox("bob", mapiHttpEnabled: false));
        lab.Mailboxes.Add(ExchangeObjects.CasMailbox("carol", mapiEnabled: false));
        lab.Mailboxes.Add(ExchangeObjects.CasMailbox("dave", blockExternal: true));
        lab.Mailboxes.Add(ExchangeObjects.CasMailbox("erin", mapiHttpEnabled: false, blockRpcHttp: true));
        return lab;
    }

    /// <summary>The real SOLO-E19A exports only, plus the MAPI virtual directory there is no export of.</summary>
    public static ExchangeLab Solo()
    {
        var lab = new ExchangeLab();
        lab.Servers.AddRange(ExchangeObjects.Fixture("GetExchangeServer.xml"));
        lab.VirtualDirectories.Add(ExchangeObjects.MapiVirtualDirectory("SOLO-E19A", "https://solo-e19a.solo.com/mapi", null));
        lab.Certificates["SOLO-E19A"] = ExchangeObjects.Fixture("GetExchangeCertificate.xml");
        lab.AuthConfig = ExchangeObjects.Fixture("GetAuthConfig.xml")[0];
        lab.ComponentStates.AddRange(ExchangeObjects.Fixture("GetServerComponentState.xml"));
        lab.OutlookAnywhere.Add(ExchangeObjects.OutlookAnywhere("SOLO-E19A", "solo-e19a.solo.com", null));
        return lab;
    }

    public PSObject VirtualDirectory(string server) => VirtualDirectories.Single(v => ExchangeValues.Text(v, "Server") == server);

    public void ReplaceVirtualDirectory(string server, PSObject vdir)
    {
        VirtualDirectories.Remove(VirtualDirectory(server));
        VirtualDirectories.Add(vdir);
    }

    /// <summary>
    /// Puts a server on another Exchange build (issue 15): the real export again, its AdminDisplayVersion (a
    /// ServerVersion: ToString "Version 15.2 (Build 986.5)" and Major/Minor/Build/Revision) set to <paramref name="build"/>.
    /// </summary>
    public void SetBuild(string server, Version build)
    {
        int index = Servers.FindIndex(s => ExchangeValues.Text(s, "Name") == server);
        Servers[index] = ExchangeObjects.Fixture("GetExchangeServer.xml", text => ExchangeObjects.AsContosoServer(server)(text)
            .Replace("<ToString>Version 15.2 (Build 986.5)</ToString>", $"<ToString>Version {build.Major}.{build.Minor} (Build {build.Build}.{build.Revision})</ToString>")
            .Replace("<I32 N=\"Major\">15</I32>", $"<I32 N=\"Major\">{build.Major}</I32>")
            .Replace("<I32 N=\"Minor\">2</I32>", $"<I32 N=\"Minor\">{build.Minor}</I32>")
            .Replace("<I32 N=\"Build\">986</I32>", $"<I32 N=\"Build\">{build.Build}</I32>")
            .Replace("<I32 N=\"Revision\">5</I32>", $"<I32 N=\"Revision\">{build.Revision}</I32>"))[0];
    }

    /// <summary>Sets a component of a server to a state, with the requesters that set it.</summary>
    public void SetComponent(string server, string component, string state, params string[] requesters)
    {
        PSObject entry = ComponentStates.Single(s => ExchangeValues.Text(s, "Identity") == server && ExchangeValues.Text(s, "Component") == component);
        entry.Properties["State"].Value = state;
        var local = new ArrayList();
        foreach (string requester in requesters)
        {
            var detail = new PSObject();
            detail.Properties.Add(new PSNoteProperty("Requester", requester));
            detail.Properties.Add(new PSNoteProperty("State", state));
            detail.Properties.Add(new PSNoteProperty("Component", component));
            local.Add(detail);
        }

        entry.Properties["LocalStates"].Value = local;
    }

    /// <summary>Defines the stand-in Exchange functions in <paramref name="session"/>; each records its bound parameters in $global:ExchangeCalls.</summary>
    public void Install(ModuleSession session)
    {
        // The lab's contoso.lab names resolve to loopback in this session only.
        session.Services().HostResolver = new LabResolver();
        // A hashtable of public collection types: PowerShell does not reach into this internal class.
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase)
        {
            ["Organization"] = Organization,
            ["Servers"] = Servers,
            ["VirtualDirectories"] = VirtualDirectories,
            ["Certificates"] = Certificates,
            ["AuthConfig"] = AuthConfig,
            ["AuthServers"] = AuthServers,
            ["ComponentStates"] = ComponentStates,
            ["OutlookAnywhere"] = OutlookAnywhere,
            ["Mailboxes"] = Mailboxes,
            ["GeneratedMailboxes"] = GeneratedMailboxes,
            ["Failing"] = Failing,
            ["RejectFilterProperty"] = RejectFilterProperty,
            ["ScanFailure"] = ScanFailure,
        };
        session.Runspace.SessionStateProxy.SetVariable("Lab", table);
        session.Invoke(StandIns);
    }

    /// <summary>Every stand-in call so far: command name and bound parameters.</summary>
    public static IReadOnlyList<(string Command, Hashtable Parameters)> Calls(ModuleSession session) =>
        session.Invoke("$global:ExchangeCalls").Output
            .Select(o => (ExchangeValues.Text(o, "Command")!, (Hashtable)(o.Properties["Parameters"].Value is PSObject p ? p.BaseObject : o.Properties["Parameters"].Value)))
            .ToArray();

    public static void ClearCalls(ModuleSession session) => session.Invoke("$global:ExchangeCalls.Clear()");

    /// <summary>The same organisation read directly, for engine tests without PowerShell.</summary>
    public IExchangeSource Source() => new LabSource(this);

    private const string StandIns = @"
$global:ExchangeCalls = [System.Collections.Generic.List[object]]::new()
$global:CasEmitted = 0
function global:Record([string]$Command, $Bound) {
    $p = @{}
    foreach ($k in $Bound.Keys) { $p[$k] = $Bound[$k] }
    $global:ExchangeCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $p })
    $global:Lab.Failing.Contains($Command + ':' + $Bound['Server']) -or $global:Lab.Failing.Contains($Command + ':' + $Bound['Identity']) -or $global:Lab.Failing.Contains($Command)
}
function global:WriteExchangeError($Cmdlet, [string]$Message, [string]$Id, [System.Management.Automation.ErrorCategory]$Category, $Target) {
    $Cmdlet.WriteError([System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new($Message), $Id, $Category, $Target))
}
function global:Fail([string]$Command, $Target) {
    WriteExchangeError $PSCmdlet ""The Exchange server '$Target' could not be contacted (The WinRM client cannot process the request)."" 'ServerUnavailable' ConnectionError $Target
}
function global:Get-OrganizationConfig {
    [CmdletBinding()] param()
    if (Record 'Get-OrganizationConfig' $PSBoundParameters) { Fail 'Get-OrganizationConfig' 'dc01'; return }
    $global:Lab.Organization
}
function global:Get-ExchangeServer {
    [CmdletBinding()] param([Parameter(Position = 0)][string] $Identity, [switch] $Status)
    if (Record 'Get-ExchangeServer' $PSBoundParameters) { Fail 'Get-ExchangeServer' $Identity; return }
    if (-not $Identity) { return $global:Lab.Servers }
    $found = @($global:Lab.Servers | Where-Object { $_.Name -eq $Identity -or $_.Fqdn -eq $Identity })
    if ($found.Count -eq 0) {
        WriteExchangeError $PSCmdlet ""The operation couldn't be performed because object '$Identity' couldn't be found on 'dc01.contoso.lab'."" 'ManagementObjectNotFoundException' ObjectNotFound $Identity
        return
    }
    $found
}
function global:Get-MapiVirtualDirectory {
    [CmdletBinding()] param([string] $Server, [Parameter(Position = 0)][string] $Identity, [switch] $ADPropertiesOnly)
    if (Record 'Get-MapiVirtualDirectory' $PSBoundParameters) { Fail 'Get-MapiVirtualDirectory' $Server; return }
    $global:Lab.VirtualDirectories | Where-Object { -not $Server -or $_.Server.ToString() -eq $Server }
}
function global:Get-ExchangeCertificate {
    [CmdletBinding()] param([string] $Server, [string] $Thumbprint)
    if (Record 'Get-ExchangeCertificate' $PSBoundParameters) { Fail 'Get-ExchangeCertificate' $Server; return }
    if ($global:Lab.Certificates.ContainsKey($Server)) { $global:Lab.Certificates[$Server] }
}
function global:Get-AuthConfig {
    [CmdletBinding()] param()
    if (Record 'Get-AuthConfig' $PSBoundParameters) { Fail 'Get-AuthConfig' 'dc01'; return }
    $global:Lab.AuthConfig
}
function global:Get-AuthServer {
    [CmdletBinding()] param()
    if (Record 'Get-AuthServer' $PSBoundParameters) { Fail 'Get-AuthServer' 'dc01'; return }
    $global:Lab.AuthServers
}
function global:Get-ServerComponentState {
    [CmdletBinding()] param([Parameter(Position = 0)][string] $Identity, [string] $Component)
    if (Record 'Get-ServerComponentState' $PSBoundParameters) { Fail 'Get-ServerComponentState' $Identity; return }
    $global:Lab.ComponentStates | Where-Object { $_.Identity.ToString() -eq $Identity -and (-not $Component -or $_.Component -eq $Component) }
}
function global:Get-OutlookAnywhere {
    [CmdletBinding()] param([string] $Server, [switch] $ADPropertiesOnly)
    if (Record 'Get-OutlookAnywhere' $PSBoundParameters) { Fail 'Get-OutlookAnywhere' $Server; return }
    $global:Lab.OutlookAnywhere | Where-Object { -not $Server -or $_.Server.ToString() -eq $Server }
}
function global:Get-CASMailbox {
    [CmdletBinding()] param([Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)][string] $Identity, [string] $Filter, [string] $OrganizationalUnit, [string] $ResultSize)
    if (Record 'Get-CASMailbox' $PSBoundParameters) { Fail 'Get-CASMailbox' $Identity; return }
    if (-not $Identity -and $global:Lab.ScanFailure) { throw $global:Lab.ScanFailure }
    if ($Filter -and $global:Lab.RejectFilterProperty) {
        throw [System.Management.Automation.ParameterBindingException]::new(""Cannot bind parameter 'Filter' to the target. Exception setting """"Filter"""": """"$($global:Lab.RejectFilterProperty) is not a recognized filterable property."""""")
    }
    # Exchange applies -Filter on the server: the OPATH comparisons the module sends, evaluated on the lab's mailboxes.
    $where = { $true }
    if ($Filter) { $where = [scriptblock]::Create(($Filter -replace '(?<![$\w])([A-Za-z]\w*)(?=\s+-(eq|ne|like)\b)', '$$_.$1')) }
    if ($global:Lab.GeneratedMailboxes -gt 0) {
        for ($i = 1; $i -le $global:Lab.GeneratedMailboxes; $i++) {
            $global:CasEmitted = $i
            [pscustomobject]@{ Identity = ""contoso.lab/Users/User$i""; Name = ""User$i""; PrimarySmtpAddress = ""user$i@contoso.lab""; MAPIEnabled = $true; MapiHttpEnabled = $false; MAPIBlockOutlookRpcHttp = $false; MAPIBlockOutlookExternalConnectivity = $false; MAPIBlockOutlookVersions = $null }
        }
        return
    }
    if ($Identity) {
        $found = @($global:Lab.Mailboxes | Where-Object { $_.Identity.ToString() -eq $Identity -or $_.SamAccountName -eq $Identity -or $_.PrimarySmtpAddress.ToString() -eq $Identity -or $_.Name -eq $Identity })
        if ($found.Count -eq 0) {
            WriteExchangeError $PSCmdlet ""The operation couldn't be performed because object '$Identity' couldn't be found on 'dc01.contoso.lab'."" 'ManagementObjectNotFoundException' ObjectNotFound $Identity
        }
        return $found
    }
    $global:Lab.Mailboxes | Where-Object $where
}
";

    /// <summary>Reads the lab's objects through the module's fact reader, as the live source does.</summary>
    private sealed class LabSource : IExchangeSource
    {
        private readonly ExchangeLab _lab;

        public LabSource(ExchangeLab lab) => _lab = lab;

        public string Origin => "lab";

        public DateTime? AsOfUtc => null;

        public Task<OrganizationFacts> GetOrganizationConfigAsync(CancellationToken cancellation) =>
            Guard("Get-OrganizationConfig", string.Empty, () => ExchangeFactReader.ReadOrganization(_lab.Organization));

        public Task<ServerLookup> GetExchangeServersAsync(IReadOnlyCollection<string>? names, CancellationToken cancellation) =>
            Guard("Get-ExchangeServer", string.Empty, () =>
            {
                ExchangeServerFacts[] all = _lab.Servers.Select(ExchangeFactReader.ReadServer).ToArray();
                if (names is null)
                {
                    return new ServerLookup(all.Where(s => s.IsClientAccessServer && !s.IsEdgeServer).ToArray(), Array.Empty<(string, string)>());
                }

                return new ServerLookup(
                    all.Where(s => names.Contains(s.Name, StringComparer.OrdinalIgnoreCase)).ToArray(),
                    names.Where(n => !all.Any(s => string.Equals(s.Name, n, StringComparison.OrdinalIgnoreCase))).Select(n => (n, $"'{n}' couldn't be found")).ToArray());
            });

        public Task<IReadOnlyList<MapiVirtualDirectoryFacts>> GetMapiVirtualDirectoriesAsync(string server, CancellationToken cancellation) =>
            Guard<IReadOnlyList<MapiVirtualDirectoryFacts>>("Get-MapiVirtualDirectory", server, () =>
                _lab.VirtualDirectories.Select(ExchangeFactReader.ReadVirtualDirectory).Where(v => v.Server == server).ToArray());

        public Task<IReadOnlyList<ExchangeCertificateFacts>> GetExchangeCertificatesAsync(string server, CancellationToken cancellation) =>
            Guard<IReadOnlyList<ExchangeCertificateFacts>>("Get-ExchangeCertificate", server, () =>
                (_lab.Certificates.TryGetValue(server, out List<PSObject>? list) ? list : new List<PSObject>())
                .Select(c => ExchangeFactReader.ReadCertificate(c, server)!).ToArray());

        public Task<AuthConfigFacts> GetAuthConfigAsync(CancellationToken cancellation) =>
            Guard("Get-AuthConfig", string.Empty, () => ExchangeFactReader.ReadAuthConfig(_lab.AuthConfig!));

        public Task<IReadOnlyList<AuthServerFacts>> GetAuthServersAsync(CancellationToken cancellation) =>
            Guard<IReadOnlyList<AuthServerFacts>>("Get-AuthServer", string.Empty, () => _lab.AuthServers.Select(ExchangeFactReader.ReadAuthServer).ToArray());

        public Task<IReadOnlyList<ServerComponentStateFacts>> GetServerComponentStatesAsync(string server, IReadOnlyList<string> components, CancellationToken cancellation) =>
            Guard<IReadOnlyList<ServerComponentStateFacts>>("Get-ServerComponentState", server, () =>
                _lab.ComponentStates.Select(s => ExchangeFactReader.ReadComponentState(s, server))
                    .Where(s => s.Server == server && components.Contains(s.Component)).ToArray());

        public Task<IReadOnlyList<OutlookAnywhereFacts>> GetOutlookAnywhereAsync(string server, CancellationToken cancellation) =>
            Guard<IReadOnlyList<OutlookAnywhereFacts>>("Get-OutlookAnywhere", server, () =>
                _lab.OutlookAnywhere.Select(ExchangeFactReader.ReadOutlookAnywhere).Where(o => o.Server == server).ToArray());

        public Task StreamCasMailboxesAsync(CasMailboxQuery query, Action<CasMailboxFacts> onMailbox, Action<MailboxLookupError> onError, CancellationToken cancellation)
        {
            foreach (CasMailboxFacts mailbox in _lab.Mailboxes.Select(ExchangeFactReader.ReadCasMailbox))
            {
                if (query.Identity is null || mailbox.SamAccountName == query.Identity || mailbox.Identity == query.Identity)
                {
                    onMailbox(mailbox);
                }
            }

            return Task.CompletedTask;
        }

        private Task<T> Guard<T>(string command, string key, Func<T> read)
        {
            if (_lab.Failing.Contains(command + ":" + key) || _lab.Failing.Contains(command))
            {
                return Task.FromException<T>(new ExchangeCommandException(command, $"{command} failed: the Exchange server '{key}' could not be contacted.", null));
            }

            return Task.FromResult(read());
        }
    }
}

/// <summary>
/// DNS for the lab: knows the contoso.lab and solo.com names, nothing else. Loopback addresses only: the
/// endpoint probe connects to what this answers, and tests never send traffic off the machine.
/// </summary>
internal sealed class LabResolver : IHostResolver
{
    private readonly Dictionary<string, string[]> _names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mail.contoso.lab"] = new[] { "127.0.0.10" },
        ["autodiscover.contoso.lab"] = new[] { "127.0.0.10" },
        ["ex01.contoso.lab"] = new[] { "127.0.0.11" },
        ["ex02.contoso.lab"] = new[] { "127.0.0.12" },
        ["ex03.contoso.lab"] = new[] { "127.0.0.13" },
        ["solo-e19a.solo.com"] = new[] { "127.1.0.5" },
    };

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation) =>
        _names.TryGetValue(host, out string[]? addresses)
            ? Task.FromResult(addresses.Select(IPAddress.Parse).ToArray())
            : Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));
}
