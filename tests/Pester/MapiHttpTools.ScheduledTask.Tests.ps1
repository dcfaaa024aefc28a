<#
    Scheduled-task use (issue 13): scripts run in a child pwsh -File as Task Scheduler runs them, asserting the process
    exit code. The scale: 0 Pass, 1 Warning, 2 Fail, 3 Error (a check could not run).
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/TestSupport.ps1')
    $script:support = Join-Path $PSScriptRoot 'Support/TestSupport.ps1'
}

Describe 'exit (Invoke-MapiHttpDiagnostic -Summary).ExitCode' {
    It 'exits 2 when the organisation has failures' {
        $run = Invoke-ChildPwsh -Folder $TestDrive -Script @"
. '$support'
Import-Module '$ModuleManifest'
Install-ExchangeStandIns (New-ContosoExchangeLab -IISAuthenticationMethods Ntlm, OAuth)
exit (Invoke-MapiHttpDiagnostic -SkipEndpointTest -SkipIisCheck -Summary).ExitCode
"@
        $run.ExitCode | Should -Be 2 -Because $run.Output
    }

    It 'exits 3 (could not check) in a session without the Exchange cmdlets' {
        # Target behaviour (diag branch): a diagnostic that could not run must not look like success to the task.
        $run = Invoke-ChildPwsh -Folder $TestDrive -Script @"
Import-Module '$ModuleManifest'
exit (Invoke-MapiHttpDiagnostic -Summary).ExitCode
"@
        $run.ExitCode | Should -Be 3 -Because $run.Output
    }
}

Describe 'Error cases stop a task script with a non-zero exit code and say why' {
    It 'a snapshot path that does not exist' {
        $missing = Join-Path $TestDrive 'missing-snapshot.xml'
        $run = Invoke-ChildPwsh -Folder $TestDrive -Script @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModuleManifest'
Invoke-MapiHttpDiagnostic -SnapshotPath '$missing' -Summary
exit 0
"@
        $run.ExitCode | Should -Be 1
        $run.Output | Should -Match ([regex]::Escape("The snapshot file '$missing' does not exist."))
    }

    It 'a log folder that does not exist, with the error id' {
        $missing = Join-Path $TestDrive 'no-such-logs'
        $run = Invoke-ChildPwsh -Folder $TestDrive -Script @"
Import-Module '$ModuleManifest'
try { Get-MapiHttpLogSummary -Path '$missing' -ErrorAction Stop; exit 0 }
catch { `$_.FullyQualifiedErrorId; exit 4 }
"@
        $run.ExitCode | Should -Be 4
        $run.Output | Should -Be 'LogFileNotFound,MapiHttpTools.Commands.GetMapiHttpLogSummaryCommand'
    }

    It 'Repair-MapiHttpClientState refuses a state read from a .reg export' {
        $export = Join-Path $RepoRoot 'tests/MapiHttpTools.Tests/Fixtures/ClientState/disabled-hkcu.reg'
        $run = Invoke-ChildPwsh -Folder $TestDrive -Script @"
Import-Module '$ModuleManifest'
try { Get-MapiHttpClientState -RegistryExportPath '$export' | Repair-MapiHttpClientState -WhatIf -ErrorAction Stop; exit 0 }
catch { `$_.FullyQualifiedErrorId; exit 5 }
"@
        $run.ExitCode | Should -Be 5
        $run.Output | Should -Be 'OfflineRepairNotSupported,MapiHttpTools.Commands.RepairMapiHttpClientStateCommand'
    }
}
