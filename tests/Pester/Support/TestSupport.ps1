<#
    Shared by the Pester suite (issue 13): the built module's manifest, lab Exchange front ends started as processes
    (tests/MapiHttpTools.LabHost) with their root CA trusted for the run and removed afterwards, child pwsh runs,
    and Exchange cmdlets stood in by functions with Exchange's parameter names returning objects in the shape a
    remote session or Export-Clixml delivers. Dot-source it in BeforeAll.
#>

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path
$script:ModuleManifest = Join-Path $script:RepoRoot 'out/MapiHttpTools/MapiHttpTools.psd1'
$script:CssExchange = Join-Path $script:RepoRoot 'tests/MapiHttpTools.Tests/Fixtures/css-exchange'

function Get-LabHostPath {
    if ($env:MAPIHTTP_LABHOST -and (Test-Path $env:MAPIHTTP_LABHOST)) { return $env:MAPIHTTP_LABHOST }
    $built = Get-ChildItem (Join-Path $script:RepoRoot 'tests/MapiHttpTools.LabHost/bin') -Recurse -Filter 'MapiHttpTools.LabHost.dll' -ErrorAction SilentlyContinue |
        Sort-Object LastWriteTimeUtc -Descending | Select-Object -First 1
    if (-not $built) { throw 'The lab host is not built: run ./build.ps1 -Task Build first.' }
    $built.FullName
}

# Starts one lab host process with a front end per fault; trusts its root CA in the current user's Root store
# (on Linux .NET's per-user folder ~/.dotnet/corefx/cryptography/x509stores/root) until Stop-MapiLab.
function Start-MapiLab {
    param([string[]] $Fault = @('None'), [int] $SlowDelayMs = 3000, [string[]] $AuthenticationMethods)
    $arguments = @((Get-LabHostPath)) + @($Fault | ForEach-Object { '--fault', $_ }) + @('--slow-delay-ms', [string]$SlowDelayMs)
    if ($AuthenticationMethods) { $arguments += @('--auth', ($AuthenticationMethods -join ',')) }
    # Arguments as one quoted string: ProcessStartInfo.ArgumentList does not exist in Windows PowerShell 5.1.
    $start = New-Object System.Diagnostics.ProcessStartInfo 'dotnet', (($arguments | ForEach-Object { '"' + $_ + '"' }) -join ' ')
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    $servers = @{}
    $rootPath = $null
    while ($true) {
        $line = $process.StandardOutput.ReadLine()
        if ($null -eq $line) { throw "The lab host exited before it was ready (exit code $($process.ExitCode))." }
        if ($line -eq 'READY') { break }
        $parts = $line -split ' '
        if ($parts[0] -eq 'ROOTCA') { $rootPath = $parts[1] }
        elseif ($parts[0] -eq 'LAB') {
            $servers[$parts[1]] = [pscustomobject]@{ Fault = $parts[1]; Address = $parts[2]; Port = [int]$parts[3]; Uri = $parts[4] }
        }
    }
    $root = if ('System.Security.Cryptography.X509Certificates.X509CertificateLoader' -as [type]) {
        [System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadCertificateFromFile($rootPath)
    }
    else { New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 (, [System.IO.File]::ReadAllBytes($rootPath)) }
    $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('Root', 'CurrentUser')
    $store.Open('ReadWrite')
    try { $store.Add($root) } finally { $store.Dispose() }
    [pscustomobject]@{ Process = $process; Root = $root; Servers = $servers; PendingLine = $null }
}

# Waits (up to 20 s) until the lab host reports a request to the front end with this fault; returns the line.
function Wait-LabRequest {
    param($Lab, [string] $Fault)
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (-not $Lab.PendingLine) { $Lab.PendingLine = $Lab.Process.StandardOutput.ReadLineAsync() }
        if ($Lab.PendingLine.Wait(200)) {
            $line = $Lab.PendingLine.Result
            $Lab.PendingLine = $null
            if ($null -eq $line) { break }
            if ($line -like "REQUEST $Fault *") { return $line }
        }
    }
    throw "The lab front end '$Fault' received no request."
}

function Stop-MapiLab {
    param($Lab)
    if (-not $Lab) { return }
    $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('Root', 'CurrentUser')
    $store.Open('ReadWrite')
    try { $store.Remove($Lab.Root) } finally { $store.Dispose() }
    $Lab.Process.StandardInput.Close()
    if (-not $Lab.Process.WaitForExit(10000)) { $Lab.Process.Kill() }
    $Lab.Process.Dispose()
}

# True while a certificate with this thumbprint is in the current user's Root store.
function Test-TrustedRoot([string] $Thumbprint) {
    $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('Root', 'CurrentUser')
    $store.Open('ReadOnly')
    try { [bool]($store.Certificates | Where-Object Thumbprint -eq $Thumbprint) } finally { $store.Dispose() }
}

# Runs a script in a child pwsh (the same PowerShell as this one) as a scheduled task would: pwsh -File.
function Invoke-ChildPwsh {
    param([string] $Script, [string] $Folder)
    $file = Join-Path $Folder ('task-{0}.ps1' -f [guid]::NewGuid().ToString('n'))
    # Plain text, as a task's log file receives it.
    Set-Content -LiteralPath $file -Value ("if (`$PSStyle) { `$PSStyle.OutputRendering = 'PlainText' }`n" + $Script) -Encoding utf8
    $pwsh = Join-Path $PSHOME $(if ($PSVersionTable.PSEdition -eq 'Desktop') { 'powershell.exe' } elseif ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
    $output = & $pwsh -NoProfile -NonInteractive -File $file 2>&1 | ForEach-Object { "$_" }
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output -join "`n") }
}

#region Exchange objects as a remote session (or Export-Clixml) delivers them

$script:Sc = 'Microsoft.Exchange.Data.Directory.SystemConfiguration.'
$script:AuthMethodValues = @{ Basic = 0; Digest = 1; Ntlm = 2; Fba = 3; WindowsIntegrated = 4; LiveIdFba = 5; LiveIdBasic = 6; WSSecurity = 7; Certificate = 8; NegoEx = 9; OAuth = 10; Adfs = 11; Kerberos = 12; Negotiate = 13 }

function ConvertTo-XmlText([string] $Text) { [System.Security.SecurityElement]::Escape($Text) }

function New-ClixmlEnum([string] $Name, [string] $Type, [string] $Text, [int] $Value) {
    $n = if ($Name) { " N=`"$Name`"" } else { '' }
    "<Obj$n><TN><T>$Type</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN><ToString>$Text</ToString><I32>$Value</I32></Obj>"
}

function New-ClixmlText([string] $Name, [string] $Type, [string] $Text) {
    if ($null -eq $Text -or $Text -eq '') { return "<Nil N=`"$Name`" />" }
    "<Obj N=`"$Name`"><TN><T>$Type</T><T>System.Object</T></TN><ToString>$(ConvertTo-XmlText $Text)</ToString></Obj>"
}

function New-ClixmlAuthList([string] $Name, [string[]] $Methods) {
    $type = $script:Sc + 'AuthenticationMethod'
    $items = foreach ($m in $Methods) { New-ClixmlEnum '' $type $m $script:AuthMethodValues[$m] }
    "<Obj N=`"$Name`"><TN><T>Microsoft.Exchange.Data.MultiValuedProperty``1[[$type, Microsoft.Exchange.Data.Directory, Version=15.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]</T><T>Microsoft.Exchange.Data.MultiValuedPropertyBase</T><T>System.Object</T></TN><LST>$($items -join '')</LST></Obj>"
}

function ConvertFrom-ClixmlObject([string[]] $TypeNames, [string] $ToString, [string[]] $Properties) {
    $tn = ($TypeNames | ForEach-Object { "<T>$_</T>" }) -join ''
    $xml = "<Objs Version=`"1.1.0.1`" xmlns=`"http://schemas.microsoft.com/powershell/2004/04`"><Obj><TN>$tn</TN><ToString>$(ConvertTo-XmlText $ToString)</ToString><Props>$($Properties -join '')</Props></Obj></Objs>"
    [System.Management.Automation.PSSerializer]::Deserialize($xml)
}

# Get-MapiVirtualDirectory's object (no export of it in CSS-Exchange's data): the ADMapiVirtualDirectory shape.
function New-ExchangeMapiVirtualDirectory {
    param([string] $Server, [string] $InternalUrl, [string] $ExternalUrl, [string[]] $IISAuthenticationMethods = @('Ntlm', 'OAuth', 'Negotiate'))
    $identity = "$Server\mapi (Default Web Site)"
    $url = { param($n, $u) if ($u) { "<URI N=`"$n`">$(ConvertTo-XmlText $u)</URI>" } else { "<Nil N=`"$n`" />" } }
    ConvertFrom-ClixmlObject @(
        ($script:Sc + 'ADMapiVirtualDirectory'), ($script:Sc + 'ADExchangeServiceVirtualDirectory'), ($script:Sc + 'ExchangeVirtualDirectory'),
        ($script:Sc + 'ADVirtualDirectory'), ($script:Sc + 'ADConfigurationObject'), 'Microsoft.Exchange.Data.Directory.ADObject',
        'Microsoft.Exchange.Data.Directory.ADRawEntry', 'Microsoft.Exchange.Data.ConfigurableObject', 'System.Object') $identity @(
        (New-ClixmlAuthList 'IISAuthenticationMethods' $IISAuthenticationMethods)
        "<S N=`"MetabasePath`">IIS://$($Server.ToLowerInvariant()).contoso.lab/W3SVC/1/ROOT/mapi</S>"
        '<S N="Path">C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\mapi</S>'
        (New-ClixmlEnum 'ExtendedProtectionTokenChecking' 'Microsoft.Exchange.Data.Directory.ExtendedProtectionTokenCheckingMode' 'None' 0)
        (New-ClixmlText 'AdminDisplayVersion' 'Microsoft.Exchange.Data.ServerVersion' 'Version 15.2 (Build 1118.7)')
        (New-ClixmlText 'Server' 'Microsoft.Exchange.Data.Directory.ADObjectId' $Server)
        (& $url 'InternalUrl' $InternalUrl)
        (New-ClixmlAuthList 'InternalAuthenticationMethods' $IISAuthenticationMethods)
        (& $url 'ExternalUrl' $ExternalUrl)
        (New-ClixmlAuthList 'ExternalAuthenticationMethods' $IISAuthenticationMethods)
        '<S N="Name">mapi (Default Web Site)</S>'
        (New-ClixmlText 'Identity' 'Microsoft.Exchange.Data.Directory.ADObjectId' $identity)
        '<B N="IsValid">true</B>')
}

# Get-CASMailbox's object (CASMailbox shape).
function New-ExchangeCasMailbox {
    param([string] $Alias, [bool] $MAPIEnabled = $true, [Nullable[bool]] $MapiHttpEnabled = $null, [bool] $MAPIBlockOutlookRpcHttp = $false, [bool] $MAPIBlockOutlookExternalConnectivity = $false)
    $display = $Alias.Substring(0, 1).ToUpperInvariant() + $Alias.Substring(1) + ' Example'
    $identity = "contoso.lab/Users/$display"
    $b = { param($n, $v) if ($null -eq $v) { "<Nil N=`"$n`" />" } else { "<B N=`"$n`">$(([string]$v).ToLowerInvariant())</B>" } }
    ConvertFrom-ClixmlObject @('Microsoft.Exchange.Data.Directory.Management.CASMailbox', 'Microsoft.Exchange.Data.Directory.Management.ADPresentationObject', 'System.Object') $display @(
        "<S N=`"Name`">$display</S>", "<S N=`"DisplayName`">$display</S>", "<S N=`"SamAccountName`">$Alias</S>"
        (New-ClixmlText 'PrimarySmtpAddress' 'Microsoft.Exchange.Data.SmtpAddress' "$Alias@contoso.lab")
        (& $b 'MAPIEnabled' $MAPIEnabled), (& $b 'MapiHttpEnabled' $MapiHttpEnabled), (& $b 'MAPIBlockOutlookNonCachedMode' $false)
        '<Nil N="MAPIBlockOutlookVersions" />'
        (& $b 'MAPIBlockOutlookRpcHttp' $MAPIBlockOutlookRpcHttp), (& $b 'MAPIBlockOutlookExternalConnectivity' $MAPIBlockOutlookExternalConnectivity)
        (& $b 'OWAEnabled' $true), (& $b 'EwsEnabled' $true)
        (New-ClixmlText 'Identity' 'Microsoft.Exchange.Data.Directory.ADObjectId' $identity)
        "<S N=`"DistinguishedName`">CN=$display,CN=Users,DC=contoso,DC=lab</S>")
}

# The real SOLO-E19A exports (CSS-Exchange), renamed into contoso.lab servers.
function Import-CssExchangeFixture([string] $File, [string] $Server) {
    $text = Get-Content -Raw -LiteralPath (Join-Path $script:CssExchange "Exchange/$File")
    if ($Server) {
        $text = $text.Replace('SOLO-E19A', $Server.ToUpperInvariant()).Replace('Solo-E19A', $Server).Replace('solo-e19a', $Server.ToLowerInvariant()).Replace('Solo.com', 'contoso.lab').Replace('solo.com', 'contoso.lab')
    }
    [System.Management.Automation.PSSerializer]::Deserialize($text)
}

# Exchange's identity parameter types convert from a string (or an object's Identity property, by property name),
# never from an arbitrary pipeline object: the stand-ins bind the way Exchange Management Shell binds.
if (-not ('MapiHttpToolsLab.Exchange.MailboxIdParameter' -as [type])) {
    Add-Type -TypeDefinition @'
namespace MapiHttpToolsLab.Exchange
{
    public abstract class IdParameter
    {
        protected IdParameter(string identity) { RawIdentity = identity; }
        public string RawIdentity { get; private set; }
        public override string ToString() { return RawIdentity; }
    }
    public sealed class MailboxIdParameter : IdParameter { public MailboxIdParameter(string identity) : base(identity) { } }
    public sealed class VirtualDirectoryIdParameter : IdParameter { public VirtualDirectoryIdParameter(string identity) : base(identity) { } }
    public sealed class ServerIdParameter : IdParameter { public ServerIdParameter(string identity) : base(identity) { } }
}
'@
}

# Defines Exchange's cmdlets as global functions over $global:ExchangeLab; each records its bound parameters in
# $global:ExchangeCalls. Parameter names and sets follow Exchange's (the ones the pipelines bind by).
function Install-ExchangeStandIns {
    param([hashtable] $Lab)
    $global:ExchangeLab = $Lab
    $global:ExchangeCalls = [System.Collections.Generic.List[object]]::new()
    function global:Write-ExchangeCall([string] $Command, $Bound) {
        $p = @{}
        # Identity parameters are recorded as the text Exchange would resolve.
        foreach ($k in $Bound.Keys) { $p[$k] = if ($Bound[$k] -is [MapiHttpToolsLab.Exchange.IdParameter]) { "$($Bound[$k])" } else { $Bound[$k] } }
        $global:ExchangeCalls.Add([pscustomobject]@{ Command = $Command; Parameters = $p })
    }
    function global:Get-OrganizationConfig {
        [CmdletBinding()] param([string] $DomainController)
        Write-ExchangeCall 'Get-OrganizationConfig' $PSBoundParameters
        $global:ExchangeLab.Organization
    }
    function global:Get-ExchangeServer {
        [CmdletBinding(DefaultParameterSetName = 'Identity')]
        param([Parameter(ParameterSetName = 'Identity', Position = 0, ValueFromPipeline = $true)][object] $Identity,
            [Parameter(ParameterSetName = 'Identity')][string] $Domain, [switch] $Status, [string] $DomainController)
        process {
            Write-ExchangeCall 'Get-ExchangeServer' $PSBoundParameters
            $global:ExchangeLab.Servers | Where-Object { -not $Identity -or $_.Name -eq "$Identity" -or $_.Fqdn -eq "$Identity" }
        }
    }
    function global:Get-MapiVirtualDirectory {
        [CmdletBinding(DefaultParameterSetName = 'Identity')]
        param([Parameter(ParameterSetName = 'Identity', Position = 0, ValueFromPipeline = $true)][MapiHttpToolsLab.Exchange.VirtualDirectoryIdParameter] $Identity,
            [Parameter(ParameterSetName = 'Server', ValueFromPipeline = $true)][MapiHttpToolsLab.Exchange.ServerIdParameter] $Server,
            [switch] $ADPropertiesOnly, [switch] $ShowMailboxVirtualDirectories, [string] $DomainController)
        process {
            Write-ExchangeCall 'Get-MapiVirtualDirectory' $PSBoundParameters
            $global:ExchangeLab.VirtualDirectories | Where-Object { (-not $Server -or $_.Server.ToString() -eq "$Server") -and (-not $Identity -or $_.Identity.ToString() -eq "$Identity") }
        }
    }
    function global:Set-MapiVirtualDirectory {
        [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
        param([Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)][MapiHttpToolsLab.Exchange.VirtualDirectoryIdParameter] $Identity,
            [object] $InternalUrl, [object] $ExternalUrl, [object[]] $IISAuthenticationMethods, [object] $ExtendedProtectionTokenChecking, [string] $DomainController)
        process { Write-ExchangeCall 'Set-MapiVirtualDirectory' $PSBoundParameters }
    }
    function global:Get-ExchangeCertificate {
        [CmdletBinding()] param([Parameter(Position = 0)][object] $Identity, [object] $Server, [string] $Thumbprint, [string] $DomainController)
        Write-ExchangeCall 'Get-ExchangeCertificate' $PSBoundParameters
        $global:ExchangeLab.Certificates["$Server"]
    }
    function global:Get-AuthConfig {
        [CmdletBinding()] param([string] $DomainController)
        Write-ExchangeCall 'Get-AuthConfig' $PSBoundParameters
        $global:ExchangeLab.AuthConfig
    }
    function global:Get-AuthServer {
        [CmdletBinding()] param([Parameter(Position = 0)][object] $Identity, [string] $DomainController)
        Write-ExchangeCall 'Get-AuthServer' $PSBoundParameters
        $global:ExchangeLab.AuthServers
    }
    function global:Get-ServerComponentState {
        [CmdletBinding()] param([Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true)][object] $Identity, [string] $Component)
        process {
            Write-ExchangeCall 'Get-ServerComponentState' $PSBoundParameters
            $global:ExchangeLab.ComponentStates | Where-Object { $_.Identity.ToString() -eq "$Identity" -and (-not $Component -or $_.Component -eq $Component) }
        }
    }
    function global:Get-OutlookAnywhere {
        [CmdletBinding(DefaultParameterSetName = 'Identity')]
        param([Parameter(ParameterSetName = 'Identity', Position = 0, ValueFromPipeline = $true)][object] $Identity,
            [Parameter(ParameterSetName = 'Server')][object] $Server, [switch] $ADPropertiesOnly, [string] $DomainController)
        process {
            Write-ExchangeCall 'Get-OutlookAnywhere' $PSBoundParameters
            $global:ExchangeLab.OutlookAnywhere | Where-Object { -not $Server -or $_.Server.ToString() -eq "$Server" }
        }
    }
    function global:Get-CASMailbox {
        [CmdletBinding(DefaultParameterSetName = 'Identity')]
        param([Parameter(ParameterSetName = 'Identity', Position = 0, ValueFromPipeline = $true)][MapiHttpToolsLab.Exchange.MailboxIdParameter] $Identity,
            [Parameter(ParameterSetName = 'AnrSet')][string] $Anr, [string] $Filter, [object] $OrganizationalUnit, [object] $ResultSize,
            [switch] $ReadFromDomainController, [string] $DomainController)
        process {
            Write-ExchangeCall 'Get-CASMailbox' $PSBoundParameters
            $global:ExchangeLab.Mailboxes | Where-Object { -not $Identity -or $_.Identity.ToString() -eq "$Identity" -or $_.SamAccountName -eq "$Identity" -or "$($_.PrimarySmtpAddress)" -eq "$Identity" }
        }
    }
    function global:Get-ClientAccessService {
        [CmdletBinding()] param([Parameter(Position = 0)][object] $Identity, [switch] $IncludeAlternateServiceAccountCredentialStatus, [switch] $IncludeAlternateServiceAccountCredentialPassword, [string] $DomainController)
        Write-ExchangeCall 'Get-ClientAccessService' $PSBoundParameters
        $global:ExchangeLab.ClientAccessServices
    }
    function global:Set-CASMailbox {
        [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
        param([Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)][MapiHttpToolsLab.Exchange.MailboxIdParameter] $Identity,
            [Nullable[bool]] $MapiHttpEnabled, [bool] $MAPIEnabled, [bool] $MAPIBlockOutlookRpcHttp, [bool] $MAPIBlockOutlookExternalConnectivity, [string] $DomainController)
        process {
            if ($PSCmdlet.ShouldProcess("$Identity", 'Set CAS mailbox')) { Write-ExchangeCall 'Set-CASMailbox' $PSBoundParameters }
            else { Write-ExchangeCall 'Set-CASMailbox -WhatIf' $PSBoundParameters }
        }
    }
}

function Remove-ExchangeStandIns {
    foreach ($name in 'Write-ExchangeCall', 'Get-OrganizationConfig', 'Get-ExchangeServer', 'Get-MapiVirtualDirectory', 'Set-MapiVirtualDirectory', 'Get-ExchangeCertificate',
        'Get-AuthConfig', 'Get-AuthServer', 'Get-ServerComponentState', 'Get-OutlookAnywhere', 'Get-CASMailbox', 'Set-CASMailbox', 'Get-ClientAccessService') {
        Remove-Item "Function:\$name" -ErrorAction SilentlyContinue
    }
    Remove-Variable -Scope Global -Name ExchangeLab, ExchangeCalls -ErrorAction SilentlyContinue
}

#endregion

# contoso.lab with one server EX01 (the real SOLO-E19A exports renamed), its MAPI virtual directory at $InternalUrl,
# and three mailboxes: alice (MAPI/HTTP), bob (MAPI/HTTP off: RPC/HTTP), erin (MAPI/HTTP off and RPC/HTTP blocked).
function New-ContosoExchangeLab {
    param([string] $InternalUrl = 'https://ex01.contoso.lab/mapi', [string] $ExternalUrl, [string[]] $IISAuthenticationMethods = @('Ntlm', 'OAuth', 'Negotiate'))
    @{
        Organization       = Import-CssExchangeFixture 'GetOrganizationConfig.xml'
        Servers            = @(Import-CssExchangeFixture 'GetExchangeServer.xml' 'EX01')
        VirtualDirectories = @(New-ExchangeMapiVirtualDirectory -Server 'EX01' -InternalUrl $InternalUrl -ExternalUrl $ExternalUrl -IISAuthenticationMethods $IISAuthenticationMethods)
        Certificates       = @{ EX01 = @(Import-CssExchangeFixture 'GetExchangeCertificate.xml' 'EX01') }
        AuthConfig         = Import-CssExchangeFixture 'GetAuthConfig.xml'
        AuthServers        = @()
        ComponentStates    = @(Import-CssExchangeFixture 'GetServerComponentState.xml' 'EX01')
        OutlookAnywhere    = @()
        Mailboxes          = @(
            (New-ExchangeCasMailbox 'alice')
            (New-ExchangeCasMailbox 'bob' -MapiHttpEnabled $false)
            (New-ExchangeCasMailbox 'erin' -MapiHttpEnabled $false -MAPIBlockOutlookRpcHttp $true))
    }
}

# The calls the stand-ins recorded, as "Command Name=Value ..." lines (parameters sorted), for literal assertions.
function Get-ExchangeCallText {
    foreach ($call in $global:ExchangeCalls) {
        $parameters = $call.Parameters.GetEnumerator() | Sort-Object Key | ForEach-Object { "$($_.Key)=$(@($_.Value) -join ',')" }
        (@($call.Command) + @($parameters)) -join ' '
    }
}
