#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Issue 17: the machine-state cmdlets across a real process boundary. Each stand-in machine is an OpenSSH server on
    its own loopback address with the PowerShell subsystem of this pwsh (tests/Pester/Support/RemotingSupport.ps1):
    two with the current module and different applicationHost.config files, one with an older module, one without
    the module, one whose subsystem never answers, and one address where nothing listens.
#>

BeforeDiscovery {
    $script:canRun = -not $IsWindows -and ((Test-Path /usr/sbin/sshd) -or (Test-Path (Join-Path $PSScriptRoot '../setup/install-openssh.sh')))
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/TestSupport.ps1')
    . (Join-Path $PSScriptRoot 'Support/RemotingSupport.ps1')
    Import-Module $script:ModuleManifest -Force -ErrorAction Stop
    $script:lab = Start-MapiSshLab -Root (Join-Path $TestDrive 'ssh') -Machine @(
        @{ Name = '127.0.17.1'; Module = 'Current' }
        @{ Name = '127.0.17.2'; Module = 'Current' }
        @{ Name = '127.0.17.3'; Module = 'Old' }
        @{ Name = '127.0.17.4'; Module = 'Missing' }
        @{ Name = '127.0.17.5'; Module = 'Current'; Hang = $true })
    $config = Join-Path $script:CssExchange 'IIS/applicationHost.config'
    $clientFixtures = Join-Path $script:RepoRoot 'tests/MapiHttpTools.Tests/Fixtures/ClientState'
    foreach ($m in $lab.Machines) {
        Copy-Item $config (Join-Path $m.Inputs 'applicationHost.config')
        Copy-Item (Join-Path $clientFixtures 'hklm-clicktorun.reg') (Join-Path $m.Inputs 'office.reg')
        Copy-Item (Join-Path $clientFixtures 'good-hkcu.reg') (Join-Path $m.Inputs 'user.reg')
    }
    # Each machine's own HttpProxy\Mapi log folder: machine 1 the whole fixture day, machine 2 its first three requests.
    $log = Join-Path $script:RepoRoot 'tests/MapiHttpTools.Tests/Fixtures/Logs/HttpProxy/Mapi/HttpProxy_2024031108-1.LOG'
    foreach ($m in $lab.Machines) { New-Item -ItemType Directory -Path (Join-Path $m.Inputs 'Logs/HttpProxy/Mapi') -Force | Out-Null }
    Copy-Item $log (Join-Path $lab.Machines[0].Inputs 'Logs/HttpProxy/Mapi')
    $lines = Get-Content $log
    @($lines | Where-Object { $_ -like '#*' }) + @($lines | Where-Object { $_ -notlike '#*' } | Select-Object -First 3) |
        Set-Content (Join-Path $lab.Machines[1].Inputs 'Logs/HttpProxy/Mapi/HttpProxy_2024031108-1.LOG')
    # Machine 2's Outlook user has MapiHttpDisabled = 1.
    Copy-Item (Join-Path $clientFixtures 'disabled-hkcu.reg') (Join-Path $lab.Machines[1].Inputs 'user.reg')
    # Machine 2's front-end pool runs the wrong CLR: its results differ from machine 1's.
    $second = Join-Path $lab.Machines[1].Inputs 'applicationHost.config'
    $text = Get-Content -Raw $second
    $text = $text -replace '(<add name="MSExchangeMapiFrontEndAppPool"[^>]*?)managedRuntimeVersion="v4.0"', '$1managedRuntimeVersion="v2.0"'
    Set-Content -LiteralPath $second -Value $text -NoNewline
    $script:ssh = Get-MapiSshLabParameters $lab
}

AfterAll {
    Stop-MapiSshLab $script:lab
}

Describe 'Get-MapiAppPoolHealth through SSH remoting' -Skip:(-not $canRun) {
    It 'runs on two machines at once, reads each one''s own configuration and names the machine' {
        $results = Get-MapiAppPoolHealth -HostName 127.0.17.1, 127.0.17.2 @ssh -ConfigurationPath applicationHost.config -ThrottleLimit 2 -ErrorVariable errs
        $errs | Should -HaveCount 0
        $results | Should -HaveCount 12
        ($results | Where-Object PSComputerName -eq '127.0.17.1').Count | Should -Be 6
        ($results | Where-Object Server -eq '127.0.17.2').Count | Should -Be 6
        $results[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.MapiHttpTools.MapiAppPoolHealthResult'
        ($results | Where-Object { $_.Server -eq '127.0.17.1' -and $_.Name -eq 'MSExchangeMapiFrontEndAppPool' }).Status | Should -Be 'Pass'
        ($results | Where-Object { $_.Server -eq '127.0.17.2' -and $_.Name -eq 'MSExchangeMapiFrontEndAppPool' }).Status | Should -Be 'Fail'
    }

    It 'gives one error per failing machine, with that machine as target, while the others go on' {
        $results = Get-MapiAppPoolHealth -HostName 127.0.17.1, 127.0.17.4, 127.0.17.9, 127.0.17.5 @ssh -ConfigurationPath applicationHost.config -TimeoutSec 10 -ErrorVariable errs -ErrorAction SilentlyContinue
        @($results | Select-Object -ExpandProperty Server -Unique) | Should -Be @('127.0.17.1')
        $results | Should -HaveCount 6
        $byTarget = @{}
        foreach ($e in $errs) { $byTarget["$($e.TargetObject)"] = $e.FullyQualifiedErrorId }
        $byTarget.Keys | Sort-Object | Should -Be @('127.0.17.4', '127.0.17.5', '127.0.17.9')
        $byTarget['127.0.17.4'] | Should -Be 'RemoteModuleMissing,MapiHttpTools.Commands.GetMapiAppPoolHealthCommand'
        $byTarget['127.0.17.9'] | Should -Be 'RemoteConnectionFailed,MapiHttpTools.Commands.GetMapiAppPoolHealthCommand'
        $byTarget['127.0.17.5'] | Should -Be 'RemoteTimeout,MapiHttpTools.Commands.GetMapiAppPoolHealthCommand'
        ($errs | Where-Object TargetObject -eq '127.0.17.4').Exception.Message | Should -BeLike 'MapiHttpTools is not installed on 127.0.17.4 (Get-Module -ListAvailable MapiHttpTools found none there)*'
        (Get-Job | Measure-Object).Count | Should -Be 0
    }

    It 'warns about an older module on the remote end and still returns its results' {
        $results = Get-MapiAppPoolHealth -HostName 127.0.17.3 @ssh -ConfigurationPath applicationHost.config -WarningVariable warns -WarningAction SilentlyContinue
        $results | Should -HaveCount 6
        @($warns) | Should -HaveCount 1
        "$($warns[0])" | Should -BeLike "127.0.17.3 has MapiHttpTools 0.0.1, older than this one ($($lab.ModuleVersion)): Get-MapiAppPoolHealth ran with what that version knows. Update the module on 127.0.17.3*"
    }

    It 'passes the remote end''s own errors through (a missing file there)' {
        $null = Get-MapiAppPoolHealth -HostName 127.0.17.1 @ssh -ConfigurationPath nothing-here.config -ErrorVariable errs -ErrorAction SilentlyContinue
        @($errs) | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'ConfigurationFileNotFound,MapiHttpTools.Commands.GetMapiAppPoolHealthCommand'
        $errs[0].OriginInfo.PSComputerName | Should -Be '127.0.17.1'
    }

    It 'takes PSSessions opened by the admin' {
        $session = New-PSSession -HostName 127.0.17.2 @ssh
        try {
            $results = Get-MapiAppPoolHealth -Session $session -ConfigurationPath applicationHost.config
            $results | Should -HaveCount 6
            ($results | Where-Object Name -eq 'MSExchangeMapiFrontEndAppPool').Status | Should -Be 'Fail'
        }
        finally { Remove-PSSession $session }
    }

    It 'shows deserialized results through the default view' {
        $text = Get-MapiAppPoolHealth -HostName 127.0.17.2 @ssh -ConfigurationPath applicationHost.config | Out-String -Width 120
        $text | Should -Not -Match 'Deserialized|MapiHttpTools\.'
        $text | Should -Match '(?m)^Status\s+Cause\s+Name\s+State\s+Message'
        $text | Should -Match '(?m)^Fail\s+AppPool\s+MSExchangeMapiFrontEndAppPool'
    }
}

Describe 'Get-MapiHttpClientState through SSH remoting' -Skip:(-not $canRun) {
    It 'reads each PC''s own state and names the PC' {
        $results = Get-MapiHttpClientState -HostName 127.0.17.1, 127.0.17.2 @ssh -RegistryExportPath user.reg, office.reg -ErrorVariable errs
        $errs | Should -HaveCount 0
        $results | Should -HaveCount 2
        $byPc = @{}; foreach ($r in $results) { $byPc[$r.PSComputerName] = $r }
        $byPc['127.0.17.1'].Status | Should -Be 'Pass'
        $byPc['127.0.17.2'].Status | Should -Be 'Fail'
        $byPc['127.0.17.2'].Cause | Should -Be 'NotEnabled'
        $byPc['127.0.17.2'].MapiHttpDisabled | Should -Be 1
        $byPc['127.0.17.2'].PSObject.TypeNames[0] | Should -Be 'Deserialized.MapiHttpTools.MapiHttpClientStateResult'
    }

    It 'asks for -UserSid before reading another PC''s live registry as the connecting account' {
        $null = Get-MapiHttpClientState -HostName 127.0.17.1 @ssh -ErrorVariable errs -ErrorAction SilentlyContinue
        @($errs).FullyQualifiedErrorId | Should -Be @('ComputerNameRequiresUserSid,MapiHttpTools.Commands.GetMapiHttpClientStateCommand')
        $errs[0].TargetObject | Should -Be '127.0.17.1'
    }

    It 'pipes deserialized states into Repair-MapiHttpClientState, which refuses states read from .reg files as it does live ones' {
        $backup = Join-Path $TestDrive 'client-backup'
        $states = Get-MapiHttpClientState -HostName 127.0.17.1, 127.0.17.2 @ssh -RegistryExportPath user.reg, office.reg
        $repairs = $states | Repair-MapiHttpClientState -BackupPath $backup -WhatIf -ErrorVariable errs -ErrorAction SilentlyContinue
        $repairs | Should -HaveCount 0
        @($errs).FullyQualifiedErrorId | Should -Be @('OfflineRepairNotSupported,MapiHttpTools.Commands.RepairMapiHttpClientStateCommand', 'OfflineRepairNotSupported,MapiHttpTools.Commands.RepairMapiHttpClientStateCommand')
        # The paths are those on each PC (each home folder of the lab).
        $messages = @($errs | ForEach-Object { $_.Exception.Message } | Sort-Object)
        $messages[0] | Should -BeLike "This state was read from a registry export ($($lab.Machines[0].Inputs)/user.reg, $($lab.Machines[0].Inputs)/office.reg). *"
        $messages[1] | Should -BeLike "This state was read from a registry export ($($lab.Machines[1].Inputs)/user.reg, $($lab.Machines[1].Inputs)/office.reg). *"
        Test-Path $backup | Should -BeFalse
    }
}

Describe 'Deserialized results into the repair cmdlets' -Skip:(-not $canRun) {
    It 'Repair-MapiVirtualDirectory -WhatIf reads deserialized pool results, findings included, and changes nothing' {
        $remote = Get-MapiAppPoolHealth -HostName 127.0.17.2 @ssh -ConfigurationPath applicationHost.config
        $backup = Join-Path $TestDrive 'vdir-backup'
        $repairs = @($remote | Repair-MapiVirtualDirectory -WhatIf -BackupPath $backup -WarningAction SilentlyContinue 6>$null)
        $repairs | Should -HaveCount 1
        $repairs[0].Outcome | Should -Be 'Skipped'
        $repairs[0].Server | Should -Be '127.0.17.2'
        # The finding one level down in Findings arrived as an object (SerializationDepth), not as a string.
        $repairs[0].Message | Should -Be "Not repaired: ManagedRuntimeVersion of MSExchangeMapiFrontEndAppPool: MSExchangeMapiFrontEndAppPool has managedRuntimeVersion 'v2.0', not v4.0: the Exchange MAPI application cannot load. This cmdlet starts and restarts the MAPI pools; it does not change their settings."
        Test-Path $backup | Should -BeFalse
    }
}

Describe 'Get-MapiHttpLogSummary through SSH remoting' -Skip:(-not $canRun) {
    It 'summarises each server''s own logs where they are and sends back one summary per server' {
        $summaries = Get-MapiHttpLogSummary -HostName 127.0.17.1, 127.0.17.2 @ssh -Path Logs/HttpProxy/Mapi -ErrorVariable errs
        $errs | Should -HaveCount 0
        $summaries | Should -HaveCount 2
        $byServer = @{}; foreach ($s in $summaries) { $byServer[$s.PSComputerName] = $s }
        ($byServer['127.0.17.1'].Requests, $byServer['127.0.17.1'].Failures) | Should -Be @(16, 5)
        ($byServer['127.0.17.2'].Requests, $byServer['127.0.17.2'].Failures) | Should -Be @(2, 0)
        $byServer['127.0.17.1'].PSObject.TypeNames[0] | Should -Be 'Deserialized.MapiHttpTools.MapiHttpLogSummary'
        $text = $byServer['127.0.17.1'] | Out-String -Width 120
        $text | Should -Match '(?m)^Status\s+Requests\s+Failures\s+401 %'
        $text | Should -Match '(?m)^Pass\s+16\s+5\s+12\.5'
    }
}
