#requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests, documents and packages MapiHttpTools.
.DESCRIPTION
    Build   : dotnet build of the solution; lays out the module folder out/MapiHttpTools (manifest, DLL,
              format/types files, MAML help built from en-US/).
    Test    : the xunit suite (hosts the real PowerShell engine), then the Pester tests under tests/Pester
              where Pester is installed (they need a real Exchange server named in tests/Pester/settings.psd1).
    Docs    : rebuilds the MAML help; with PlatyPS installed, uses New-ExternalHelp instead of the built-in step.
    Package : copies the module folder into out/package/MapiHttpTools/<version> ready for Publish-Module.
.EXAMPLE
    ./build.ps1 -Task Build, Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Docs', 'Package')]
    [string[]] $Task = @('Build', 'Test'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$moduleDir = Join-Path $root 'out/MapiHttpTools'

function Invoke-Dotnet {
    param([string[]] $Arguments)
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' {
            Invoke-Dotnet @('build', (Join-Path $root 'MapiHttpTools.sln'), '-c', $Configuration)
        }
        'Test' {
            Invoke-Dotnet @('test', (Join-Path $root 'MapiHttpTools.sln'), '-c', $Configuration)
            $pester = Get-Module -ListAvailable -Name Pester | Sort-Object Version -Descending | Select-Object -First 1
            $settings = Join-Path $root 'tests/Pester/settings.psd1'
            if ($pester -and $pester.Version -ge [version]'5.0') {
                Import-Module $pester
                $config = New-PesterConfiguration
                $config.Run.Path = Join-Path $root 'tests/Pester'
                $config.Run.Exit = $true
                if (-not (Test-Path $settings)) {
                    Write-Warning "No ${settings}: the Pester tests against a real Exchange server are skipped."
                    $config.Filter.ExcludeTag = 'Exchange'
                }
                Invoke-Pester -Configuration $config
            }
            else {
                Write-Warning 'Pester 5 is not installed: only the xunit suite ran.'
            }
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
    }
}
