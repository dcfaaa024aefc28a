#requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests, documents, packages and demonstrates MapiHttpTools: the one entry point (issue 13).
.DESCRIPTION
    Runs under the PowerShell pinned in .config/dotnet-tools.json (dotnet tool restore; dotnet pwsh ./build.ps1),
    or under Windows PowerShell 5.1 / any PowerShell 7 on an Exchange host.

    Build   : dotnet build of the solution; lays out the module folder out/MapiHttpTools (manifest, DLL,
              format/types files, MAML help built from en-US/), the lab host, and restores Pester from NuGet.
    Test    : the xunit suite (engine tests, hosted PowerShell), then the Pester suite under tests/Pester in this
              PowerShell (the module imported through its manifest, as an admin does). The Pester tests against
              a real Exchange server (tag Exchange) run only when tests/Pester/settings.psd1 exists. Pester writes
              out/TestResults/pester.xml (NUnit XML). Ends with the line "N passed, N failed, N skipped" summing
              both runners; exits non-zero if either failed.
    Docs    : rebuilds the MAML help; with PlatyPS installed, uses New-ExternalHelp instead of the built-in step.
    Package : copies the module folder into out/package/MapiHttpTools/<version> ready for Publish-Module.
    Demo    : starts healthy and broken lab Exchange front ends and probes each in this PowerShell, printing what
              an admin's console shows.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Build, Docs, Package
#>
[CmdletBinding()]
param(
    # Build, Test, Docs, Package, Demo; "-Task Docs,Package" also works from a Unix shell (pwsh -File passes one string).
    [string[]] $Task = @('Build', 'Test'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
$Task = @($Task | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
$unknown = @($Task | Where-Object { $_ -notin 'Build', 'Test', 'Docs', 'Package', 'Demo' })
if ($unknown) { throw "Unknown task(s): $($unknown -join ', '). Tasks: Build, Test, Docs, Package, Demo." }
$root = $PSScriptRoot
$moduleDir = Join-Path $root 'out/MapiHttpTools'
$solution = Join-Path $root 'MapiHttpTools.sln'
$labHostProject = Join-Path $root 'tests/MapiHttpTools.LabHost/MapiHttpTools.LabHost.csproj'
$pesterVersion = '6.2.0'

function Invoke-Dotnet {
    param([string[]] $Arguments)
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

# Where NuGet restored Pester (PackageDownload in the lab host project): the package's tools/ folder is the module.
function Get-PesterManifest {
    $packages = $env:NUGET_PACKAGES
    if (-not $packages) {
        $line = & dotnet nuget locals global-packages --list | Select-Object -First 1
        $packages = ($line -replace '^global-packages:\s*', '').Trim()
    }
    $manifest = Join-Path $packages "pester/$pesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) { throw "Pester $pesterVersion was not restored from NuGet (looked for $manifest)." }
    $manifest
}

function Format-Duration([TimeSpan] $Elapsed) { '{0:0.0} s' -f $Elapsed.TotalSeconds }

function Invoke-XunitSuite {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $summary = $null
    & dotnet test $solution -c $Configuration --no-build 2>&1 | ForEach-Object {
        $line = "$_"
        if ($line -match '(Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)') {
            $summary = [pscustomobject]@{ Failed = [int]$Matches[2]; Passed = [int]$Matches[3]; Skipped = [int]$Matches[4] }
        }
        $line
    } | Out-Host
    $exit = $LASTEXITCODE
    $clock.Stop()
    if (-not $summary) { $summary = [pscustomobject]@{ Failed = 0; Passed = 0; Skipped = 0 } }
    # A build failure or a crashed test host reports no counts: it still fails the run.
    if ($exit -ne 0 -and $summary.Failed -eq 0) { $summary.Failed = 1 }
    [pscustomobject]@{ Runner = 'xunit'; Passed = $summary.Passed; Failed = $summary.Failed; Skipped = $summary.Skipped; Elapsed = $clock.Elapsed }
}

function Invoke-PesterSuite {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    Import-Module (Get-PesterManifest) -Force
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests/Pester'
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    # CI logs (output redirected) get plain text, not colour escapes.
    if ([Console]::IsOutputRedirected) { $config.Output.RenderMode = 'Plaintext' }
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'NUnitXml'
    $config.TestResult.OutputPath = Join-Path $root 'out/TestResults/pester.xml'
    if (-not (Test-Path (Join-Path $root 'tests/Pester/settings.psd1'))) {
        Write-Host 'No tests/Pester/settings.psd1: the Pester tests against a real Exchange server (tag Exchange) are excluded.'
        $config.Filter.ExcludeTag = 'Exchange'
    }
    # The suite finds the lab host of this configuration.
    $env:MAPIHTTP_LABHOST = Join-Path $root "tests/MapiHttpTools.LabHost/bin/$Configuration/net10.0/MapiHttpTools.LabHost.dll"
    $result = Invoke-Pester -Configuration $config
    $clock.Stop()
    # A failing BeforeAll fails the tests under it; a file that fails before discovery has no tests: count it once.
    $failed = $result.FailedCount
    if ($failed -eq 0) { $failed = $result.FailedBlocksCount + $result.FailedContainersCount }
    [pscustomobject]@{ Runner = 'Pester'; Passed = $result.PassedCount; Failed = $failed; Skipped = $result.SkippedCount + $result.NotRunCount; Elapsed = $clock.Elapsed }
}

if ([Console]::IsOutputRedirected -and (Get-Variable PSStyle -ErrorAction SilentlyContinue)) { $PSStyle.OutputRendering = 'PlainText' }
$exitCode = 0
foreach ($t in $Task) {
    switch ($t) {
        'Build' {
            Invoke-Dotnet @('build', $solution, '-c', $Configuration)
        }
        'Test' {
            # dotnet test builds only the test projects: the whole solution (the lab host, Pester's restore) first.
            $clock = [Diagnostics.Stopwatch]::StartNew()
            # Issue 17: the remoting tests start real sshd servers; install Debian's openssh-server when missing.
            if ($IsLinux -and -not (Test-Path /usr/sbin/sshd)) {
                & sh (Join-Path $root 'tests/setup/install-openssh.sh')
                if ($LASTEXITCODE -ne 0) { throw "tests/setup/install-openssh.sh failed with exit code $LASTEXITCODE" }
            }
            Invoke-Dotnet @('build', $solution, '-c', $Configuration)
            Write-Host "Build of the solution: $(Format-Duration $clock.Elapsed)"
            # The real servers the tests run against (issue 16: Dovecot for IMAP4/POP3), installed from apt when missing.
            if ($IsLinux -and (Get-Command apt-get -ErrorAction SilentlyContinue)) {
                & sh (Join-Path $root 'tests/setup/test-servers.sh')
                if ($LASTEXITCODE -ne 0) { Write-Warning "tests/setup/test-servers.sh failed ($LASTEXITCODE): the IMAP4/POP3 tests will say what is missing." }
            }
            # The Autodiscover SRV tests ask a real DNS server (issue 14): Debian's dnsmasq-base, installed here when missing.
            if ($IsLinux -and -not (Test-Path /usr/sbin/dnsmasq)) {
                & sh (Join-Path $root 'tests/setup/install-dnsmasq.sh')
                if ($LASTEXITCODE -ne 0) { throw "tests/setup/install-dnsmasq.sh failed with exit code $LASTEXITCODE" }
            }
            # The report's browser tests need Debian's chromium (issue 15): installed here when missing.
            if ($IsLinux -and -not (Get-Command chromium -ErrorAction SilentlyContinue)) {
                & sh (Join-Path $root 'tests/setup/install-chromium.sh')
                if ($LASTEXITCODE -ne 0) { throw "tests/setup/install-chromium.sh failed with exit code $LASTEXITCODE" }
            }
            $runs = @(Invoke-XunitSuite)
            $runs += Invoke-PesterSuite
            Write-Host ''
            foreach ($run in $runs) {
                Write-Host ('{0,-7} {1} passed, {2} failed, {3} skipped in {4}' -f $run.Runner, $run.Passed, $run.Failed, $run.Skipped, (Format-Duration $run.Elapsed))
            }
            $passed = ($runs | Measure-Object Passed -Sum).Sum
            $failed = ($runs | Measure-Object Failed -Sum).Sum
            $skipped = ($runs | Measure-Object Skipped -Sum).Sum
            if ($failed -gt 0) { $exitCode = 1 }
            # The plain closing line CI reads.
            Write-Host ('{0} passed, {1} failed, {2} skipped' -f $passed, $failed, $skipped)
        }
        'Docs' {
            $platyPS = Get-Module -ListAvailable -Name platyPS | Select-Object -First 1
            if ($platyPS) {
                Import-Module $platyPS
                New-ExternalHelp -Path (Join-Path $root 'en-US') -OutputPath (Join-Path $moduleDir 'en-US') -Force | Out-Null
            }
            else {
                # Without PlatyPS the solution build already turned en-US/*.md into MAML with the built-in step.
                Invoke-Dotnet @('build', (Join-Path $root 'src/MapiHttpTools/MapiHttpTools.csproj'), '-c', $Configuration)
            }
        }
        'Package' {
            $manifest = Import-PowerShellDataFile (Join-Path $root 'MapiHttpTools.psd1')
            $target = Join-Path $root "out/package/MapiHttpTools/$($manifest.ModuleVersion)"
            if (Test-Path $target) { Remove-Item $target -Recurse -Force }
            New-Item -ItemType Directory -Path $target | Out-Null
            Copy-Item -Path (Join-Path $moduleDir '*') -Destination $target -Recurse
            Write-Output (Get-Item $target)
        }
        'Demo' {
            # The lab host project also builds and lays out the module.
            Invoke-Dotnet @('build', $labHostProject, '-c', $Configuration, '-v', 'quiet', '-nologo')
            $labHost = Join-Path $root "tests/MapiHttpTools.LabHost/bin/$Configuration/net10.0/MapiHttpTools.LabHost.dll"
            & (Join-Path $root 'tests/MapiHttpTools.Demo/Demo.ps1') -LabHost $labHost -ModuleManifest (Join-Path $moduleDir 'MapiHttpTools.psd1')
        }
    }
}
exit $exitCode
