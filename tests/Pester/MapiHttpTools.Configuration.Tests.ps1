#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    The Exchange configuration cmdlets against a real Exchange organisation. Run in Exchange Management Shell with
    ./build.ps1 -Task Test after copying settings.example.psd1 to settings.psd1. Without it, build.ps1 excludes the tag.
#>

BeforeDiscovery {
    $script:haveSettings = Test-Path (Join-Path $PSScriptRoot 'settings.psd1')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/MapiHttpTools/MapiHttpTools.psd1') -Force -ErrorAction Stop
    $settingsPath = Join-Path $PSScriptRoot 'settings.psd1'
    if (Test-Path $settingsPath) {
        $script:settings = Import-PowerShellDataFile $settingsPath
    }
}

Describe 'Exchange configuration checks against a real organisation' -Tag 'Exchange' -Skip:(-not $script:haveSettings) {
    It 'has Exchange accept the -ProblemsOnly server-side filter' {
        # MapiHttpEnabled and MAPIBlockOutlookRpcHttp are not on Microsoft's list of filterable properties for
        # Get-CASMailbox: this is where a rejection (MailboxFilterRejected) would show.
        { Get-MapiHttpMailboxState -ProblemsOnly -ResultSize 10 -ErrorAction Stop } | Should -Not -Throw
    }

    It 'ends with a verdict for the configured server' {
        $results = @(Invoke-MapiHttpDiagnostic -Server $settings.Server -SkipEndpointTest)
        $verdict = $results[-1]
        $verdict.Check | Should -Be 'Verdict'
        $verdict.ExitCode | Should -BeIn 0, 1, 2, 3
        ($results | Where-Object Check -eq 'MapiVirtualDirectory').Status | Should -Be 'Pass'
        # Issue 15: the server's AdminDisplayVersion reads as a build, named from the build table (or as a build the table lacks).
        $evidence = ($results | Where-Object Check -eq 'MapiVirtualDirectory').Evidence
        $evidence.ExchangeBuild | Should -Match '^15\.\d+\.\d+\.\d+$'
        $evidence.ExchangeRelease | Should -Not -Match 'not an Exchange build number'
    }

    It 'gives the same results from a snapshot as live' {
        $path = Join-Path ([System.IO.Path]::GetTempPath()) ("mapihttp-{0}.xml" -f [guid]::NewGuid())
        try {
            $live = Invoke-MapiHttpDiagnostic -Server $settings.Server -SkipEndpointTest
            Export-MapiHttpSnapshot -Path $path -Server $settings.Server | Out-Null
            $offline = Invoke-MapiHttpDiagnostic -SnapshotPath $path -SkipEndpointTest
            $line = { '{0}|{1}|{2}|{3}|{4}' -f $_.Status, $_.Cause, $_.Check, $_.Server, $_.Message }
            ($offline | ForEach-Object $line) | Should -Be ($live | ForEach-Object $line)
        }
        finally {
            Remove-Item -Path $path -ErrorAction SilentlyContinue
        }
    }
}
