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
        # 30 s: the hanging machine takes all of it, and a loaded CI machine may need many seconds to start pwsh on the others.
        $results = Get-MapiAppPoolHealth -HostName 127.0.17.1, 127.0.17.4, 127.0.17.9, 127.0.17.5 @ssh -ConfigurationPath applicationHost.config -TimeoutSec 30 -ErrorVariable errs -ErrorAction SilentlyContinue
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

Describe 'Deserialized results into Export-MapiHttpReport and the views' -Skip:(-not $canRun) {
    BeforeAll {
        # What an admin gathers from two machines in one go: pools, client states and log summaries, all deserialized.
        $script:remote = @(
            Get-MapiAppPoolHealth -HostName 127.0.17.1, 127.0.17.2 @ssh -ConfigurationPath applicationHost.config
            Get-MapiHttpClientState -HostName 127.0.17.1, 127.0.17.2 @ssh -RegistryExportPath user.reg, office.reg
            Get-MapiHttpLogSummary -HostName 127.0.17.1, 127.0.17.2 @ssh -Path Logs/HttpProxy/Mapi)
    }

    It 'writes JSON rows that name each machine with its own statuses' {
        $path = Join-Path $TestDrive 'remote.json'
        $null = $remote | Export-MapiHttpReport -Path $path -Format Json
        $rows = Get-Content -Raw $path | ConvertFrom-Json
        @($rows | ForEach-Object { "$($_.Server)|$($_.Kind)|$($_.Check)|$($_.Target)|$($_.Status)|$($_.Cause)" } | Where-Object { $_ -notlike '*|ClientState|*' } | Sort-Object) | Should -Be @(
            '127.0.17.1|MapiAppPoolHealthResult|MapiApplication|Default Web Site/mapi|Warning|None'
            '127.0.17.1|MapiAppPoolHealthResult|MapiApplication|Exchange Back End/mapi/emsmdb|Warning|None'
            '127.0.17.1|MapiAppPoolHealthResult|MapiApplication|Exchange Back End/mapi/nspi|Warning|None'
            '127.0.17.1|MapiAppPoolHealthResult|MapiAppPool|MSExchangeMapiAddressBookAppPool|Pass|None'
            '127.0.17.1|MapiAppPoolHealthResult|MapiAppPool|MSExchangeMapiFrontEndAppPool|Pass|None'
            '127.0.17.1|MapiAppPoolHealthResult|MapiAppPool|MSExchangeMapiMailboxAppPool|Pass|None'
            '127.0.17.1|MapiHttpLogFinding|LogSummary||Pass|None'
            '127.0.17.2|MapiAppPoolHealthResult|MapiApplication|Default Web Site/mapi|Warning|None'
            '127.0.17.2|MapiAppPoolHealthResult|MapiApplication|Exchange Back End/mapi/emsmdb|Warning|None'
            '127.0.17.2|MapiAppPoolHealthResult|MapiApplication|Exchange Back End/mapi/nspi|Warning|None'
            '127.0.17.2|MapiAppPoolHealthResult|MapiAppPool|MSExchangeMapiAddressBookAppPool|Pass|None'
            '127.0.17.2|MapiAppPoolHealthResult|MapiAppPool|MSExchangeMapiFrontEndAppPool|Fail|AppPool'
            '127.0.17.2|MapiAppPoolHealthResult|MapiAppPool|MSExchangeMapiMailboxAppPool|Pass|None'
            '127.0.17.2|MapiHttpLogFinding|LogSummary||Pass|None')
        # The client states' targets are the .reg paths on each PC.
        @($rows | Where-Object Check -eq ClientState | ForEach-Object { "$($_.Server)|$($_.Status)|$($_.Cause)|$($_.Target)" } | Sort-Object) | Should -Be @(
            "127.0.17.1|Pass|None|$($lab.Machines[0].Inputs)/user.reg, $($lab.Machines[0].Inputs)/office.reg"
            "127.0.17.2|Fail|NotEnabled|$($lab.Machines[1].Inputs)/user.reg, $($lab.Machines[1].Inputs)/office.reg")
    }

    It 'writes the HTML servers x checks matrix with one row per machine' {
        $path = Join-Path $TestDrive 'remote.html'
        $null = $remote | Export-MapiHttpReport -Path $path
        $html = Get-Content -Raw $path
        $rows = [regex]::Matches($html, '<tr data-server="([^"]*)"><th>[^<]*</th>(.*?)</tr>') | ForEach-Object {
            $cells = [regex]::Matches($_.Groups[2].Value, '<td[^>]*>([^<]*)</td>') | ForEach-Object { $_.Groups[1].Value }
            "$($_.Groups[1].Value): $($cells -join ' ')"
        }
        $header = [regex]::Match($html, '<table class="matrix">\s*<thead><tr><th>Server</th>(.*?)</tr>').Groups[1].Value -replace '<wbr>', '' -replace '</th><th>', ' ' -replace '</?th>', ''
        $header | Should -Be 'MapiAppPool ClientState MapiApplication LogSummary'
        $rows | Should -Be @('127.0.17.1: Pass Pass Warning Pass', '127.0.17.2: Fail Fail Warning Pass')
    }

    It 'shows the deserialized results through the default views at 120 columns without cutting a word' {
        $pools = $remote | Where-Object { $_.PSObject.TypeNames[0] -eq 'Deserialized.MapiHttpTools.MapiAppPoolHealthResult' }
        $states = $remote | Where-Object { $_.PSObject.TypeNames[0] -eq 'Deserialized.MapiHttpTools.MapiHttpClientStateResult' }
        $pools | Should -HaveCount 12
        $states | Should -HaveCount 2
        # PowerShell adds its own PSComputerName column to remoting results: Message is wrapped to the half it leaves.
        $poolText = ($pools | Where-Object { $_.Server -eq '127.0.17.2' -and $_.Name -eq 'Exchange Back End/mapi/emsmdb' }) | Out-String -Width 120
        $poolText -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ } | Should -Be @(
            'Status  Cause            Name                             State   Message                     PSComputerName'
            '------  -----            ----                             -----   -------                     --------------'
            'Warning None             Exchange Back End/mapi/emsmdb            Extended Protection is      127.0.17.2'
            '                                                                  None at Exchange Back'
            '                                                                  End/mapi/emsmdb, not'
            '                                                                  Require: hardening, not an'
            '                                                                  outage cause.')
        $stateText = $states | Sort-Object PSComputerName | Out-String -Width 120
        $stateText | Should -Not -Match 'Deserialized|MapiHttpTools\.|System\.'
        $stateText | Should -Match '(?m)^Pass    None           \(export\)           16\.0\.17928\.20156        - Nothing found that keeps +127\.0\.17\.1$'
        $stateText | Should -Match '(?m)^Fail    NotEnabled     \(export\)           16\.0\.17928\.20156        1 MapiHttpDisabled is 1: +127\.0\.17\.2$'
        # The log summary's view and its findings' list view.
        $summary = $remote | Where-Object { $_.PSObject.TypeNames[0] -eq 'Deserialized.MapiHttpTools.MapiHttpLogSummary' -and $_.PSComputerName -eq '127.0.17.2' }
        ($summary | Out-String -Width 120) | Should -Match '(?m)^Pass\s+2\s+0\s+'
        ($summary.Findings | Format-List | Out-String -Width 120) | Should -Match '(?m)^Server\s+: 127\.0\.17\.2$'
    }
}

Describe 'Invoke-MapiHttpDiagnostic reads each server''s IIS through remoting' -Skip:(-not $canRun) {
    BeforeAll {
        # Five Exchange servers. EX01 and EX02 are reached through sessions to machines 1 and 2, EX03 through a session to
        # the machine without the module, EX05 through a session whose module import hangs, and EX04 has no session.
        $exchange = New-ContosoExchangeLab
        $names = 'EX01', 'EX02', 'EX03', 'EX04', 'EX05'
        $exchange.Servers = @($names | ForEach-Object { Import-CssExchangeFixture 'GetExchangeServer.xml' $_ })
        $exchange.VirtualDirectories = @($names | ForEach-Object { New-ExchangeMapiVirtualDirectory -Server $_ -InternalUrl "https://$($_.ToLowerInvariant()).contoso.lab/mapi" })
        $exchange.Certificates = @{}; foreach ($n in $names) { $exchange.Certificates[$n] = @(Import-CssExchangeFixture 'GetExchangeCertificate.xml' $n) }
        Install-ExchangeStandIns $exchange
        $script:sessions = @(
            New-PSSession -HostName 127.0.17.1 @ssh -Name EX01
            New-PSSession -HostName 127.0.17.2 @ssh -Name EX02
            New-PSSession -HostName 127.0.17.4 @ssh -Name EX03
            New-PSSession -HostName 127.0.17.1 @ssh -Name EX05)
        # These machines have no IIS (Linux): in each session, the machine's own Get-MapiAppPoolHealth reads the
        # applicationHost.config in its home folder instead of live IIS. Everything else is the module's real path.
        Invoke-Command -Session $sessions[0, 1] { $global:PSDefaultParameterValues['Get-MapiAppPoolHealth:ConfigurationPath'] = 'applicationHost.config' }
        # EX05: a newer MapiHttpTools on its module path whose import never finishes (a remote end that hangs).
        $slow = Join-Path $TestDrive 'slow/MapiHttpTools/99.0.0'
        New-Item -ItemType Directory -Path $slow -Force | Out-Null
        Set-Content (Join-Path $slow 'MapiHttpTools.psm1') 'Start-Sleep -Seconds 120'
        Set-Content (Join-Path $slow 'MapiHttpTools.psd1') "@{ ModuleVersion = '99.0.0'; RootModule = 'MapiHttpTools.psm1'; FunctionsToExport = @() }"
        Invoke-Command -Session $sessions[3] -ArgumentList (Join-Path $TestDrive 'slow') { param($p) $env:PSModulePath = $p + [IO.Path]::PathSeparator + $env:PSModulePath }
        $script:results = Invoke-MapiHttpDiagnostic -Session $sessions -SkipEndpointTest -RemotingTimeoutSec 30 -ThrottleLimit 4 -ErrorVariable diagnosticErrors -WarningVariable diagnosticWarnings -WarningAction SilentlyContinue
    }

    AfterAll {
        Remove-PSSession $sessions -ErrorAction SilentlyContinue
        Remove-ExchangeStandIns
    }

    It 'returns each reached server''s pools and applications as typed results named by the Exchange server' {
        $pools = @($results | Where-Object { $_ -is [MapiHttpTools.MapiAppPoolHealthResult] })
        @($pools | ForEach-Object { "$($_.Server)|$($_.Name)|$($_.Status)|$($_.Cause)" }) | Should -Be @(
            'EX01|MSExchangeMapiFrontEndAppPool|Pass|None'
            'EX01|MSExchangeMapiMailboxAppPool|Pass|None'
            'EX01|MSExchangeMapiAddressBookAppPool|Pass|None'
            'EX01|Default Web Site/mapi|Warning|None'
            'EX01|Exchange Back End/mapi/emsmdb|Warning|None'
            'EX01|Exchange Back End/mapi/nspi|Warning|None'
            'EX02|MSExchangeMapiFrontEndAppPool|Fail|AppPool'
            'EX02|MSExchangeMapiMailboxAppPool|Pass|None'
            'EX02|MSExchangeMapiAddressBookAppPool|Pass|None'
            'EX02|Default Web Site/mapi|Warning|None'
            'EX02|Exchange Back End/mapi/emsmdb|Warning|None'
            'EX02|Exchange Back End/mapi/nspi|Warning|None')
        $ex02 = $pools | Where-Object { $_.Server -eq 'EX02' -and $_.Name -eq 'MSExchangeMapiFrontEndAppPool' }
        $ex02.ManagedRuntimeVersion | Should -Be 'v2.0'
        $ex02.Source | Should -Be "$($lab.Machines[1].Inputs)/applicationHost.config"
        ($ex02.Findings | Where-Object Status -eq Fail).Check | Should -Be 'ManagedRuntimeVersion'
    }

    It 'gives each server it could not read one Skipped result naming the server and why, and no error' {
        $diagnosticErrors | Should -HaveCount 0
        $skipped = @($results | Where-Object Check -eq 'IisMapiApplications')
        @($skipped | ForEach-Object { "$($_.Server)|$($_.Status)|$($_.Evidence['ErrorId'])|$($_.Evidence['ReachedThrough'])" }) | Should -Be @(
            'EX03|Skipped|RemoteModuleMissing|PSSession EX03 (127.0.17.4)'
            'EX04|Skipped|RemoteSessionMissing|no PSSession in -Session is for EX04 (matched by its name or FQDN: the session''s Name or ComputerName)'
            'EX05|Skipped|RemoteTimeout|PSSession EX05 (127.0.17.1)')
        $skipped[0].Message | Should -BeLike 'The IIS configuration of EX03 was not read through PowerShell remoting: MapiHttpTools is not installed on EX03 (Get-Module -ListAvailable MapiHttpTools found none there)*'
        $skipped[2].Message | Should -BeLike 'The IIS configuration of EX05 was not read through PowerShell remoting: EX05 did not finish Get-MapiAppPoolHealth within 30 s*'
    }

    It 'puts the pool that fails on EX02 into the verdict' {
        $verdict = $results | Where-Object { $_ -is [MapiHttpTools.MapiHttpVerdictResult] }
        $verdict.AffectedServers | Should -Contain 'EX02'
        $verdict.Causes | Should -Contain 'AppPool'
        @(($verdict.ServerSummary | Where-Object Server -eq 'EX02').Causes) | Should -Contain 'AppPool'
        @(($verdict.ServerSummary | Where-Object Server -eq 'EX01').Causes) | Should -Not -Contain 'AppPool'
    }
}

Describe 'The Invoke-Command calls the engine builds (WinRM cannot run here)' {
    BeforeAll {
        # A stand-in Invoke-Command records what the engine binds, in order, and starts no job (so each computer ends
        # as one RemoteConnectionFailed error). WinRM (-ComputerName) needs a WSMan client that Linux lacks: this is how
        # far that path runs here.
        $global:InvokeCommandCalls = [System.Collections.Generic.List[object]]::new()
        function global:Invoke-Command {
            [CmdletBinding()]
            param([string[]] $ComputerName, [pscredential] $Credential, [string[]] $HostName, [string] $UserName, [string] $KeyFilePath, [int] $Port,
                [hashtable] $Options, [System.Management.Automation.Runspaces.PSSession[]] $Session, [scriptblock] $ScriptBlock, [object[]] $ArgumentList, [switch] $AsJob)
            $global:InvokeCommandCalls.Add([pscustomobject]@{ Names = @($PSBoundParameters.Keys); Bound = @{} + $PSBoundParameters })
        }
        $secret = [securestring]::new(); foreach ($ch in 'S3cret-pass'.ToCharArray()) { $secret.AppendChar($ch) }
        $script:credential = [pscredential]::new('CONTOSO\admin', $secret)
        $script:remoteScript = [MapiHttpTools.Commands.MapiHttpRemotableCmdletBase].Assembly.GetType('MapiHttpTools.Remoting.RemoteScript').GetField('Text').GetValue($null)
    }

    AfterAll {
        Remove-Item Function:\Invoke-Command -ErrorAction SilentlyContinue
        Remove-Variable -Scope Global -Name InvokeCommandCalls -ErrorAction SilentlyContinue
    }

    BeforeEach { $global:InvokeCommandCalls.Clear() }

    It '-ComputerName: WinRM with -Credential, one call per computer, the credential never forwarded' {
        $null = Get-MapiAppPoolHealth -ComputerName EX01, ex02.contoso.lab -Credential $credential -ConfigurationPath 'C:\iis\applicationHost.config' -Hours 6 -ErrorVariable errs -ErrorAction SilentlyContinue
        $InvokeCommandCalls | Should -HaveCount 2
        $InvokeCommandCalls[0].Names | Should -Be @('ComputerName', 'Credential', 'ScriptBlock', 'ArgumentList', 'AsJob')
        $InvokeCommandCalls[0].Bound.ComputerName | Should -Be @('EX01')
        $InvokeCommandCalls[1].Bound.ComputerName | Should -Be @('ex02.contoso.lab')
        $InvokeCommandCalls[0].Bound.Credential | Should -Be $credential
        "$($InvokeCommandCalls[0].Bound.ScriptBlock)" | Should -Be $remoteScript
        $InvokeCommandCalls[0].Bound.ArgumentList[0] | Should -Be 'Get-MapiAppPoolHealth'
        $forwarded = $InvokeCommandCalls[0].Bound.ArgumentList[1]
        @($forwarded.Keys | Sort-Object) | Should -Be @('ConfigurationPath', 'Hours')
        ($forwarded.ConfigurationPath, $forwarded.Hours) | Should -Be @('C:\iis\applicationHost.config', 6)
        $InvokeCommandCalls[0].Bound.AsJob.IsPresent | Should -BeTrue
        @($errs.FullyQualifiedErrorId) | Should -Be @('RemoteConnectionFailed,MapiHttpTools.Commands.GetMapiAppPoolHealthCommand', 'RemoteConnectionFailed,MapiHttpTools.Commands.GetMapiAppPoolHealthCommand')
        @($errs.TargetObject) | Should -Be @('EX01', 'ex02.contoso.lab')
    }

    It '-HostName: SSH with -UserName, -KeyFilePath, -Port and -Options, no -Credential' {
        $options = @{ StrictHostKeyChecking = 'no' }
        $null = Get-MapiHttpLogSummary -HostName ex03.contoso.lab -UserName admin -KeyFilePath /keys/id_ed25519 -Port 2222 -Options $options -Path 'D:\Logs' -ErrorAction SilentlyContinue
        $InvokeCommandCalls | Should -HaveCount 1
        $InvokeCommandCalls[0].Names | Should -Be @('HostName', 'UserName', 'KeyFilePath', 'Port', 'Options', 'ScriptBlock', 'ArgumentList', 'AsJob')
        ($InvokeCommandCalls[0].Bound.HostName, $InvokeCommandCalls[0].Bound.UserName, $InvokeCommandCalls[0].Bound.KeyFilePath, $InvokeCommandCalls[0].Bound.Port) |
            Should -Be @('ex03.contoso.lab', 'admin', '/keys/id_ed25519', 2222)
        $InvokeCommandCalls[0].Bound.Options | Should -Be $options
        $InvokeCommandCalls[0].Bound.ArgumentList[0] | Should -Be 'Get-MapiHttpLogSummary'
        @($InvokeCommandCalls[0].Bound.ArgumentList[1].Keys) | Should -Be @('Path')
    }

    It '-Session: the session alone' -Skip:(-not $canRun) {
        $session = Microsoft.PowerShell.Core\New-PSSession -HostName 127.0.17.1 @ssh -Name PC01
        try {
            $null = Get-MapiHttpClientState -Session $session -UserSid S-1-5-21-1-2-3-1001 -ErrorAction SilentlyContinue
            $InvokeCommandCalls | Should -HaveCount 1
            $InvokeCommandCalls[0].Names | Should -Be @('Session', 'ScriptBlock', 'ArgumentList', 'AsJob')
            $InvokeCommandCalls[0].Bound.Session | Should -Be @($session)
            $InvokeCommandCalls[0].Bound.ArgumentList[0] | Should -Be 'Get-MapiHttpClientState'
            $InvokeCommandCalls[0].Bound.ArgumentList[1].UserSid | Should -Be 'S-1-5-21-1-2-3-1001'
        }
        finally { Remove-PSSession $session }
    }

    It 'Repair-MapiHttpClientState: each piped remote state goes back to its PSComputerName with -Confirm:$false, the credential not forwarded' {
        # As remoting delivers states of live reads: the machine in PSComputerName, the user's SID, the cache path there.
        $states = 'PC01', 'PC02' | ForEach-Object {
            [pscustomobject]@{ PSTypeName = 'Deserialized.MapiHttpTools.MapiHttpClientStateResult'; Source = 'Registry'; ComputerName = "$_-OWN-NAME"; PSComputerName = "$_.contoso.lab"
                UserSid = 'S-1-5-21-1-2-3-1001'; AutodiscoverCachePath = 'C:\Users\alice\AppData\Local\Microsoft\Outlook' }
        }
        $null = $states | Repair-MapiHttpClientState -Credential $credential -ClearAutodiscoverCache -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errs
        $InvokeCommandCalls | Should -HaveCount 2
        $InvokeCommandCalls[0].Names | Should -Be @('ComputerName', 'Credential', 'ScriptBlock', 'ArgumentList', 'AsJob')
        @($InvokeCommandCalls | ForEach-Object { $_.Bound.ComputerName }) | Should -Be @('PC01.contoso.lab', 'PC02.contoso.lab')
        $InvokeCommandCalls[0].Bound.ArgumentList[0] | Should -Be 'Repair-MapiHttpClientState'
        $forwarded = $InvokeCommandCalls[0].Bound.ArgumentList[1]
        @($forwarded.Keys | Sort-Object) | Should -Be @('AutodiscoverCachePath', 'ClearAutodiscoverCache', 'Confirm', 'UserSid')
        ($forwarded.AutodiscoverCachePath, $forwarded.ClearAutodiscoverCache, $forwarded.Confirm, $forwarded.UserSid) | Should -Be @('C:\Users\alice\AppData\Local\Microsoft\Outlook', $true, $false, 'S-1-5-21-1-2-3-1001')
        @($errs.TargetObject) | Should -Be @('PC01.contoso.lab', 'PC02.contoso.lab')
    }

    It 'Invoke-MapiHttpDiagnostic: WinRM to each server''s FQDN with -RemotingCredential, Get-MapiAppPoolHealth -Hours 24 there' {
        $exchange = New-ContosoExchangeLab
        $exchange.Servers = @('EX01', 'EX02' | ForEach-Object { Import-CssExchangeFixture 'GetExchangeServer.xml' $_ })
        $exchange.Certificates = @{ EX01 = @(Import-CssExchangeFixture 'GetExchangeCertificate.xml' 'EX01'); EX02 = @(Import-CssExchangeFixture 'GetExchangeCertificate.xml' 'EX02') }
        Install-ExchangeStandIns $exchange
        try {
            $results = Invoke-MapiHttpDiagnostic -SkipEndpointTest -RemotingCredential $credential -Credential ([pscredential]::new('alice@contoso.lab', [securestring]::new())) -ErrorVariable errs
        }
        finally { Remove-ExchangeStandIns }
        $errs | Should -HaveCount 0
        $InvokeCommandCalls | Should -HaveCount 2
        $InvokeCommandCalls[0].Names | Should -Be @('ComputerName', 'Credential', 'ScriptBlock', 'ArgumentList', 'AsJob')
        @($InvokeCommandCalls | ForEach-Object { $_.Bound.ComputerName }) | Should -Be @('EX01.contoso.lab', 'EX02.contoso.lab')
        $InvokeCommandCalls[0].Bound.Credential.UserName | Should -Be 'CONTOSO\admin'
        $InvokeCommandCalls[0].Bound.ArgumentList[0] | Should -Be 'Get-MapiAppPoolHealth'
        $forwarded = $InvokeCommandCalls[0].Bound.ArgumentList[1]
        @($forwarded.Keys) | Should -Be @('Hours')
        $forwarded.Hours | Should -Be 24
        $iis = @($results | Where-Object Check -eq 'IisMapiApplications')
        @($iis | ForEach-Object { "$($_.Server)|$($_.Status)|$($_.Evidence['ErrorId'])|$($_.Evidence['ReachedThrough'])" }) | Should -Be @(
            'EX01|Skipped|RemoteConnectionFailed|WinRM (EX01.contoso.lab)', 'EX02|Skipped|RemoteConnectionFailed|WinRM (EX02.contoso.lab)')
        ($results | Out-String) + ($iis | Format-List * | Out-String) | Should -Not -Match 'S3cret-pass'
    }
}

Describe 'Repair-MapiHttpClientState through SSH remoting' -Skip:(-not $canRun) {
    BeforeAll {
        # Each PC's Outlook folder (in its home) holds its own cached Autodiscover XML: one file on PC 1, two on PC 2.
        $script:sid = 'S-1-5-21-1004336348-1177238915-682003330-1013'
        $xml = Join-Path $script:RepoRoot 'tests/MapiHttpTools.Tests/Fixtures/ClientState/Autodiscover/mapihttp.xml'
        $script:cacheFiles = @{
            '127.0.17.1' = @('3b1c5f2e-2f0a-4c65-9d0e-6a3f9f0d1a11 - Autodiscover.xml')
            '127.0.17.2' = @('7d2e9a40-5b1f-4f3e-8c2a-1e4b5c6d7e80 - Autodiscover.xml', '16/c0ffee00 - Autod.xml')
        }
        foreach ($m in $lab.Machines[0, 1]) {
            foreach ($f in $cacheFiles[$m.Name]) {
                $path = Join-Path $m.Inputs "Outlook/$f"
                New-Item -ItemType Directory -Path (Split-Path $path) -Force | Out-Null
                Copy-Item $xml $path
            }
        }
        # The admin's side of the run (the stand-in Invoke-Command of another Describe is gone: this is the real one).
        Get-Command Invoke-Command -CommandType Function -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It '-WhatIf asks here and contacts no PC: nothing moved, no backup anywhere' {
        # In a console (a child pwsh), as an admin sees it: the states come back over SSH, then a stand-in Invoke-Command
        # counts every call the repair would make.
        $run = Invoke-ChildPwsh -Folder $TestDrive -Script @"
Import-Module '$ModuleManifest'
`$ssh = @{ Port = $($lab.Port); UserName = '$($lab.UserName)'; KeyFilePath = '$($lab.KeyFilePath)'; Options = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '$($lab.Options.UserKnownHostsFile)'; LogLevel = 'QUIET' } }
`$states = Get-MapiHttpClientState -HostName 127.0.17.1, 127.0.17.2 @ssh -UserSid '$sid' -AutodiscoverCachePath Outlook
"states=`$(`$states.Count)"
`$global:calls = 0
function global:Invoke-Command { `$global:calls++ }
`$states | Repair-MapiHttpClientState @ssh -ClearAutodiscoverCache -WhatIf
"calls=`$global:calls"
"@
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $lines = $run.Output -split "`n"
        $lines | Should -Contain 'states=2'
        $lines | Should -Contain 'calls=0'
        foreach ($pc in '127.0.17.1', '127.0.17.2') {
            $lines | Should -Contain "What if: Performing the operation ""Repair-MapiHttpClientState for HKU\$sid through remoting: set MapiHttpDisabled to 0, move the cached Autodiscover XML aside; backup in the MapiHttpTools\Backup folder of the connecting account there"" on target ""$pc""."
        }
        foreach ($m in $lab.Machines[0, 1]) {
            foreach ($f in $cacheFiles[$m.Name]) { Test-Path (Join-Path $m.Inputs "Outlook/$f") | Should -BeTrue }
            @(Get-ChildItem -LiteralPath $m.Inputs -Recurse -Directory -Filter Backup) | Should -HaveCount 0
        }
    }

    It 'repairs each PC with its own Repair-MapiHttpClientState: backup written there, its path returned, the PC named' {
        $states = Get-MapiHttpClientState -HostName 127.0.17.1, 127.0.17.2 @ssh -UserSid $sid -AutodiscoverCachePath Outlook
        $results = $states | Repair-MapiHttpClientState @ssh -ClearAutodiscoverCache -ErrorVariable errs -WarningVariable warns -WarningAction SilentlyContinue
        $errs | Should -HaveCount 0
        $moved = @($results | Where-Object Changed)
        @($moved | ForEach-Object { "$($_.PSComputerName)|$($_.Action)|$($_.Status)" } | Sort-Object) | Should -Be @(
            '127.0.17.1|MoveAutodiscoverCache|Pass', '127.0.17.2|MoveAutodiscoverCache|Pass', '127.0.17.2|MoveAutodiscoverCache|Pass')
        $moved[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.MapiHttpTools.MapiHttpClientRepairResult'
        foreach ($m in $lab.Machines[0, 1]) {
            $mine = @($moved | Where-Object PSComputerName -eq $m.Name)
            foreach ($r in $mine) {
                # The backup is on that PC (its own profile folder), and the result says where.
                $r.BackupPath | Should -BeLike "$($m.Inputs)/*/MapiHttpTools/Backup/*/AutodiscoverCache/*"
                Test-Path $r.BackupPath | Should -BeTrue
            }
            foreach ($f in $cacheFiles[$m.Name]) { Test-Path (Join-Path $m.Inputs "Outlook/$f") | Should -BeFalse }
        }
        # The registry step is the remote end's own answer: these PCs have no Windows registry.
        ($results | Where-Object { $_.PSComputerName -eq '127.0.17.1' -and $_.Action -eq 'SetMapiHttpDisabled' }).Status | Should -Be 'Skipped'
        @($warns | Where-Object { "$_" -like '127.0.17.1: Restart Outlook*' }) | Should -HaveCount 1
    }

    It 'gives one error per PC it cannot repair, with that PC as target, and the others go on' {
        $null = New-Item -ItemType Directory -Path (Join-Path $lab.Machines[0].Inputs 'Outlook2') -Force
        Copy-Item (Join-Path $script:RepoRoot 'tests/MapiHttpTools.Tests/Fixtures/ClientState/Autodiscover/mapihttp.xml') (Join-Path $lab.Machines[0].Inputs 'Outlook2/a - Autodiscover.xml')
        $results = Repair-MapiHttpClientState -HostName 127.0.17.4, 127.0.17.1, 127.0.17.9 @ssh -UserSid $sid -ClearAutodiscoverCache -AutodiscoverCachePath Outlook2 -BackupPath backup2 -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        @($results | Where-Object Changed | ForEach-Object PSComputerName) | Should -Be @('127.0.17.1')
        Test-Path (Join-Path $lab.Machines[0].Inputs 'backup2/AutodiscoverCache/a - Autodiscover.xml') | Should -BeTrue
        $byTarget = @{}; foreach ($e in $errs) { $byTarget["$($e.TargetObject)"] = $e.FullyQualifiedErrorId }
        $byTarget.Keys | Sort-Object | Should -Be @('127.0.17.4', '127.0.17.9')
        $byTarget['127.0.17.4'] | Should -Be 'RemoteModuleMissing,MapiHttpTools.Commands.RepairMapiHttpClientStateCommand'
        $byTarget['127.0.17.9'] | Should -Be 'RemoteConnectionFailed,MapiHttpTools.Commands.RepairMapiHttpClientStateCommand'
    }

    It 'asks for -UserSid before touching another PC, per PC, and contacts none' {
        $null = Repair-MapiHttpClientState -HostName 127.0.17.1, 127.0.17.2 @ssh -ClearAutodiscoverCache -ErrorVariable errs -ErrorAction SilentlyContinue
        @($errs | ForEach-Object { "$($_.TargetObject)|$($_.FullyQualifiedErrorId)" }) | Should -Be @(
            '127.0.17.1|ComputerNameRequiresUserSid,MapiHttpTools.Commands.RepairMapiHttpClientStateCommand'
            '127.0.17.2|ComputerNameRequiresUserSid,MapiHttpTools.Commands.RepairMapiHttpClientStateCommand')
    }
}
