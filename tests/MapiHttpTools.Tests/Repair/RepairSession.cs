using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Lab;
using MapiHttpTools.Probing;
using MapiHttpTools.Repair;

namespace MapiHttpTools.Tests.Repair;

/// <summary>
/// The imported module with stand-in Exchange cmdlets (functions of the same names that record every call, as
/// "Command -Parameter value ...", in $global:ExchangeCalls, and keep the virtual directory and organisation in
/// $global:Vdir / $global:Org), a recording IIS stand-in injected through the session's own module services, and a temporary
/// backup folder. The seams are process-wide: tests using this class run in the "Lab" collection.
/// </summary>
internal sealed class RepairSession : IDisposable
{
    public const string Identity = @"EX01\mapi (Default Web Site)";

    private const string StandIns = """
        $global:ExchangeCalls = [System.Collections.Generic.List[string]]::new()
        $global:FailOn = $null

        function global:Write-StandInCall {
            param([string]$Command, [System.Collections.IDictionary]$Bound)
            $parts = [System.Collections.Generic.List[string]]::new()
            $parts.Add($Command)
            foreach ($key in $Bound.Keys) {
                $value = $Bound[$key]
                if ($value -is [System.Management.Automation.SwitchParameter]) {
                    if ($value.IsPresent) { $parts.Add("-$key") } else { $parts.Add("-${key}:`$false") }
                } elseif ($null -eq $value) {
                    $parts.Add("-$key `$null")
                } elseif ($value -is [bool]) {
                    $parts.Add("-$key `$$($value.ToString().ToLowerInvariant())")
                } else {
                    $text = (@($value) | ForEach-Object { "$_" }) -join ','
                    if ($text -match "[\s\\']") { $text = "'" + $text + "'" }
                    $parts.Add("-$key $text")
                }
            }
            $global:ExchangeCalls.Add($parts -join ' ')
            if ($null -ne $global:FailOn -and $global:FailOn.Command -eq $Command -and $Bound.ContainsKey($global:FailOn.Parameter)) {
                throw $global:FailOn.Message
            }
        }

        function global:Get-MapiVirtualDirectory {
            [CmdletBinding()]
            param([string]$Identity, [string]$Server, [switch]$ADPropertiesOnly)
            Write-StandInCall 'Get-MapiVirtualDirectory' $PSBoundParameters
            if ($null -eq $global:Vdir -and $Identity) { Write-Error "The operation couldn't be performed because object '$Identity' couldn't be found on 'DC01.contoso.lab'." }
            if ($null -ne $global:Vdir) { $global:Vdir }
        }

        function global:Set-MapiVirtualDirectory {
            [CmdletBinding()]
            param([Parameter(Mandatory)][string]$Identity, [uri]$InternalUrl, [uri]$ExternalUrl, [string[]]$IISAuthenticationMethods)
            Write-StandInCall 'Set-MapiVirtualDirectory' $PSBoundParameters
            foreach ($name in 'InternalUrl', 'ExternalUrl', 'IISAuthenticationMethods') {
                if ($PSBoundParameters.ContainsKey($name)) { $global:Vdir.$name = $PSBoundParameters[$name] }
            }
        }

        function global:Remove-MapiVirtualDirectory {
            [CmdletBinding()]
            param([Parameter(Mandatory)][string]$Identity, [switch]$Confirm)
            Write-StandInCall 'Remove-MapiVirtualDirectory' $PSBoundParameters
            $global:Vdir = $null
        }

        function global:New-MapiVirtualDirectory {
            [CmdletBinding()]
            param([string]$Server, [uri]$InternalUrl, [uri]$ExternalUrl, [string[]]$IISAuthenticationMethods)
            Write-StandInCall 'New-MapiVirtualDirectory' $PSBoundParameters
            $global:Vdir = [pscustomobject]@{
                Identity = "$Server\mapi (Default Web Site)"; Server = $Server; Name = 'mapi (Default Web Site)'
                InternalUrl = $InternalUrl; ExternalUrl = $ExternalUrl; IISAuthenticationMethods = $IISAuthenticationMethods
                MetabasePath = "IIS://$Server.contoso.lab/W3SVC/1/ROOT/mapi"
            }
        }

        $global:OwaUrls = @{ InternalUrl = [uri]'https://mail.contoso.lab/owa'; ExternalUrl = [uri]'https://mail.contoso.com/owa' }
        function global:Get-OwaVirtualDirectory {
            [CmdletBinding()]
            param([string]$Server, [switch]$ADPropertiesOnly)
            Write-StandInCall 'Get-OwaVirtualDirectory' $PSBoundParameters
            [pscustomobject]@{ Identity = 'EX01\owa (Default Web Site)'; InternalUrl = $global:OwaUrls.InternalUrl; ExternalUrl = $global:OwaUrls.ExternalUrl }
        }

        function global:Get-WebServicesVirtualDirectory {
            [CmdletBinding()]
            param([string]$Server, [switch]$ADPropertiesOnly)
            Write-StandInCall 'Get-WebServicesVirtualDirectory' $PSBoundParameters
            [pscustomobject]@{ Identity = 'EX01\EWS (Default Web Site)'; InternalUrl = [uri]'https://mail.contoso.lab/EWS/Exchange.asmx'; ExternalUrl = $null }
        }

        function global:Get-OrganizationConfig {
            [CmdletBinding()]
            param()
            Write-StandInCall 'Get-OrganizationConfig' $PSBoundParameters
            $global:Org
        }

        function global:Set-OrganizationConfig {
            [CmdletBinding()]
            param([bool]$MapiHttpEnabled)
            Write-StandInCall 'Set-OrganizationConfig' $PSBoundParameters
            $global:Org.MapiHttpEnabled = $MapiHttpEnabled
        }

        $global:Vdir = [System.Management.Automation.PSSerializer]::Deserialize([System.IO.File]::ReadAllText($vdirPath))
        $global:Org = [System.Management.Automation.PSSerializer]::Deserialize([System.IO.File]::ReadAllText($orgPath))
        """;

    public RepairSession(bool standIns = true, int width = 120)
    {
        Folder = Path.Combine(Path.GetTempPath(), "MapiRepairTests", Guid.NewGuid().ToString("N"));
        BackupFolder = Path.Combine(Folder, "Backup");
        Directory.CreateDirectory(Folder);
        Session = new ModuleSession(width: width);
        Iis = new RecordingIis();
        // Issue 11: a run without -BackupPath writes here, never into the user's profile.
        Session.Services().DefaultBackupFolder = BackupFolder;
        Session.Services().IisRepairTargetFactory = server =>
        {
            IisServers.Add(server);
            return Iis;
        };
        if (standIns)
        {
            Session.Invoke(StandIns, new Dictionary<string, object?>
            {
                ["vdirPath"] = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Repair", "GetMapiVirtualDirectory.xml"),
                ["orgPath"] = Path.Combine(AppContext.BaseDirectory, "Fixtures", "css-exchange", "Exchange", "GetOrganizationConfig.xml"),
            });
        }
    }

    public ModuleSession Session { get; }

    public RecordingIis Iis { get; }

    public List<string> IisServers { get; } = new();

    public string Folder { get; }

    public string BackupFolder { get; }

    public IReadOnlyList<string> ExchangeCalls =>
        Session.Invoke("$global:ExchangeCalls").Output.Select(o => o.BaseObject.ToString()!).ToArray();

    /// <summary>The calls that change something (Set-, New-, Remove-).</summary>
    public IReadOnlyList<string> ExchangeChanges => ExchangeCalls.Where(c => !c.StartsWith("Get-", StringComparison.Ordinal)).ToArray();

    public string[] BackupFiles => Directory.Exists(BackupFolder) ? Directory.GetFiles(BackupFolder) : Array.Empty<string>();

    /// <summary>Runs Repair-MapiVirtualDirectory with the backup folder of this session.</summary>
    public ScriptResult Repair(string arguments, Dictionary<string, object?>? variables = null, string? pipeline = null)
    {
        var all = new Dictionary<string, object?>(variables ?? new()) { ["backupFolder"] = BackupFolder };
        return Session.InvokeCatching($"{(pipeline is null ? string.Empty : pipeline + " | ")}Repair-MapiVirtualDirectory {arguments} -BackupPath $backupFolder", all);
    }

    /// <summary>Runs the cmdlet and returns the error that stopped it (a non-terminating error fails the assertion).</summary>
    public ErrorRecord Terminating(string arguments, Dictionary<string, object?>? variables = null)
    {
        var all = new Dictionary<string, object?>(variables ?? new()) { ["backupFolder"] = BackupFolder };
        ScriptResult result = Session.Invoke($"try {{ Repair-MapiVirtualDirectory {arguments} -BackupPath $backupFolder }} catch {{ $_ }}", all);
        Xunit.Assert.Empty(result.Errors);
        return Xunit.Assert.IsType<ErrorRecord>(Xunit.Assert.Single(result.Output).BaseObject);
    }

    public void Set(string script, Dictionary<string, object?>? variables = null) => Session.Invoke(script, variables);

    public object? Get(string expression) => Session.Invoke(expression).Output.SingleOrDefault()?.BaseObject;

    /// <summary>The virtual directory's methods as the stand-in holds them now.</summary>
    public string[] Methods => Session.Invoke("@($global:Vdir.IISAuthenticationMethods) | ForEach-Object { \"$_\" }").Output.Select(o => o.BaseObject.ToString()!).ToArray();

    /// <summary>Puts the stand-ins in the state every repair finds broken: organisation off, wrong URL, Negotiate missing, IIS anonymous, pools stopped.</summary>
    public void Break()
    {
        Set("""
            $global:Org.MapiHttpEnabled = $false
            $global:Vdir.InternalUrl = [uri]'https://old.contoso.lab/mapi'
            """);
        Iis.Windows = false;
        Iis.Anonymous = true;
        Iis.Pools["MSExchangeMapiFrontEndAppPool"] = "Stopped";
        Iis.Pools["MSExchangeMapiMailboxAppPool"] = "Stopped";
    }

    /// <summary>Puts the stand-ins in the known-good state.</summary>
    public void Heal()
    {
        Set("""
            $global:Org.MapiHttpEnabled = $true
            $global:Vdir.InternalUrl = [uri]'https://mail.contoso.lab/mapi'
            $global:Vdir.IISAuthenticationMethods = [string[]]('Ntlm', 'OAuth', 'Negotiate')
            """);
    }

    public void Dispose()
    {
        Session.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder does not fail a test.
        }
    }
}

/// <summary>IIS stand-in: holds /mapi authentication and pool states, records every write (Calls) and read (Reads).</summary>
internal sealed class RecordingIis : IIisRepairTarget
{
    public bool Windows { get; set; } = true;

    public bool Anonymous { get; set; }

    public Dictionary<string, string?> Pools { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["MSExchangeMapiFrontEndAppPool"] = "Started",
        ["MSExchangeMapiMailboxAppPool"] = "Started",
        ["MSExchangeMapiAddressBookAppPool"] = "Started",
    };

    public List<string> Calls { get; } = new();

    public List<string> Reads { get; } = new();

    /// <summary>A write whose text starts with this throws.</summary>
    public string? FailOn { get; set; }

    public string Description => "IIS stand-in";

    public IisAuthenticationFacts ReadAuthentication(string location)
    {
        Reads.Add($"ReadAuthentication {location}");
        return new IisAuthenticationFacts(Windows, Anonymous, new[] { "Negotiate", "NTLM" });
    }

    public void SetAuthenticationEnabled(string location, string section, bool enabled)
    {
        Write($"SetAuthenticationEnabled {location} {section} {enabled}");
        if (section == "windowsAuthentication")
        {
            Windows = enabled;
        }
        else
        {
            Anonymous = enabled;
        }
    }

    public string? GetAppPoolState(string pool)
    {
        Reads.Add($"GetAppPoolState {pool}");
        return Pools.TryGetValue(pool, out string? state) ? state : null;
    }

    public void StartAppPool(string pool)
    {
        Write($"StartAppPool {pool}");
        Pools[pool] = "Started";
    }

    public void StopAppPool(string pool)
    {
        Write($"StopAppPool {pool}");
        Pools[pool] = "Stopped";
    }

    public void RecycleAppPool(string pool) => Write($"RecycleAppPool {pool}");

    public void ResetIis(CancellationToken cancellation) => Write("ResetIis");

    public void Dispose()
    {
    }

    private void Write(string call)
    {
        Calls.Add(call);
        if (FailOn is not null && call.StartsWith(FailOn, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Stand-in IIS refused: {call}");
        }
    }
}

/// <summary>Resolves the lab's names to loopback addresses for the verification probe.</summary>
internal sealed class LabNames : IHostResolver
{
    private readonly Dictionary<string, IPAddress[]> _names;

    public LabNames(params (string Name, string Address)[] names) =>
        _names = names.ToDictionary(n => n.Name, n => new[] { IPAddress.Parse(n.Address) }, StringComparer.OrdinalIgnoreCase);

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation) =>
        _names.TryGetValue(host, out IPAddress[]? addresses)
            ? Task.FromResult(addresses)
            : Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException(11001));
}
