<#
.SYNOPSIS
    The README demo (issue 13): healthy and broken lab Exchange front ends on 127.0.0.1, each probed by
    Test-MapiHttpEndpoint in this PowerShell, so what it prints is exactly what an admin's console shows.
.DESCRIPTION
    Run through the build: dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo
    The lab host (tests/MapiHttpTools.LabHost) serves every scenario from one process; its root CA is trusted in the
    current user's Root store for the run and removed on exit.
#>
param(
    [Parameter(Mandatory = $true)] [string] $LabHost,
    [Parameter(Mandatory = $true)] [string] $ModuleManifest
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../Pester/Support/TestSupport.ps1')
$env:MAPIHTTP_LABHOST = $LabHost
Import-Module $ModuleManifest -Force

$scenarios = [ordered]@{
    None                 = 'Healthy front end'
    MapiAppPoolStopped   = 'MAPI app pool stopped (OWA still works)'
    FrontEndDown         = 'Whole front end down'
    MapiMissing          = '/mapi missing in IIS'
    NegotiateMissing     = 'Negotiate missing on /mapi'
    AnonymousAllowed     = 'Anonymous authentication left on'
    CertificateExpired   = 'Expired certificate'
    CertificateWrongName = 'Certificate for another name'
    CertificateUntrusted = 'Untrusted certificate (or TLS inspection)'
    ConnectionReset      = 'Firewall resets the connection'
}

$lab = Start-MapiLab -Fault @($scenarios.Keys)
Write-Host "Lab root CA trusted for this run (current user store), removed on exit: $($lab.Root.Thumbprint)"
$verdicts = [System.Collections.Generic.List[string]]::new()
try {
    foreach ($fault in $scenarios.Keys) {
        $server = $lab.Servers[$fault]
        Write-Host ''
        Write-Host ('=' * 100)
        Write-Host "$($scenarios[$fault])   (lab EX01.contoso.lab on $($server.Address):$($server.Port), fault $fault)"
        Write-Host "PS> Test-MapiHttpEndpoint -Uri $($server.Uri) -TargetAddress $($server.Address) -TimeoutSec 5"
        $results = Test-MapiHttpEndpoint -Uri $server.Uri -TargetAddress $server.Address -TimeoutSec 5
        # Redirected (a CI log, a file), the host says 80 columns: print what a 120-column console shows instead,
        # the width the module's views are designed for.
        if ([Console]::IsOutputRedirected) { $results | Out-String -Width 120 | Write-Host -NoNewline } else { $results | Out-Host }
        $worst = $results | Where-Object Status -in 'Fail', 'Warning' | Select-Object -First 1
        $verdict = if ($worst) { "$($worst.Status) $($worst.Cause) at $($worst.Check)" } else { 'healthy' }
        $verdicts.Add(('{0,-45} -> {1}' -f $scenarios[$fault], $verdict))
    }
}
finally {
    Stop-MapiLab $lab
}

Write-Host ''
Write-Host 'Verdicts (first finding per scenario):'
$verdicts | ForEach-Object { Write-Host "  $_" }
