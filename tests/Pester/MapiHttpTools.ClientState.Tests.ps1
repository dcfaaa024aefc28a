#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    The client-state cmdlets against the live Windows registry of the user running the tests (the xunit suite covers
    them on any platform with a registry stand-in). MapiHttpDisabled of the current user is saved first and put back
    afterwards; the Autodiscover cache and the backups live in $TestDrive, and Credential Manager is only read.
    Run on a Windows client with ./build.ps1 -Task Test.
#>

BeforeDiscovery {
    $script:onWindows = [System.Environment]::OSVersion.Platform -eq 'Win32NT'
}

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/MapiHttpTools/MapiHttpTools.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    $script:key = 'HKCU:\Software\Microsoft\Exchange'
    $script:saved = $null
    if ([System.Environment]::OSVersion.Platform -eq 'Win32NT') {
        $script:saved = (Get-ItemProperty -Path $key -Name MapiHttpDisabled -ErrorAction SilentlyContinue).MapiHttpDisabled
    }
}

AfterAll {
    if ([System.Environment]::OSVersion.Platform -eq 'Win32NT') {
        if ($null -eq $script:saved) {
            Remove-ItemProperty -Path $script:key -Name MapiHttpDisabled -ErrorAction SilentlyContinue
        }
        else {
            Set-ItemProperty -Path $script:key -Name MapiHttpDisabled -Value $script:saved -Type DWord
        }
    }
}

Describe 'Client state in the live registry of the current user' -Tag 'WindowsClient' -Skip:(-not $script:onWindows) {
    BeforeEach {
        New-Item -Path $script:key -Force | Out-Null
        Set-ItemProperty -Path $script:key -Name MapiHttpDisabled -Value 1 -Type DWord
        $script:cache = Join-Path $TestDrive ('Outlook-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $script:cache | Out-Null
        Set-Content -Path (Join-Path $script:cache 'a - Autodiscover.xml') -Value '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006" />'
    }

    It 'reads MapiHttpDisabled = 1 as a NotEnabled failure and lists Credential Manager by name' {
        $state = Get-MapiHttpClientState -AutodiscoverCachePath $script:cache
        $state.Source | Should -Be 'Registry'
        $state.MapiHttpDisabled | Should -Be 1
        $state.Status | Should -Be 'Fail'
        ($state.Findings | Where-Object Check -eq 'MapiHttpDisabled').Cause | Should -Be 'NotEnabled'
        ($state.Findings | Where-Object Check -eq 'CredentialManager').Status | Should -Be 'Pass'
    }

    It 'changes nothing with -WhatIf' {
        $results = Repair-MapiHttpClientState -ClearAutodiscoverCache -AutodiscoverCachePath $script:cache -BackupPath (Join-Path $TestDrive 'whatif') -WhatIf
        (Get-ItemProperty -Path $script:key).MapiHttpDisabled | Should -Be 1
        Test-Path (Join-Path $script:cache 'a - Autodiscover.xml') | Should -BeTrue
        Test-Path (Join-Path $TestDrive 'whatif') | Should -BeFalse
        $results.Changed | Should -Not -Contain $true
    }

    It 'sets the value to 0 after a .reg backup that reg import restores' {
        $backup = Join-Path $TestDrive 'repair'
        $result = Repair-MapiHttpClientState -BackupPath $backup | Where-Object Action -eq 'SetMapiHttpDisabled'
        $result.Changed | Should -BeTrue
        (Get-ItemProperty -Path $script:key).MapiHttpDisabled | Should -Be 0
        & reg.exe import $result.BackupPath 2>&1 | Out-Null
        (Get-ItemProperty -Path $script:key).MapiHttpDisabled | Should -Be 1
    }
}
