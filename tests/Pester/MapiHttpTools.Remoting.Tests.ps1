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
    foreach ($m in $lab.Machines) { Copy-Item $config (Join-Path $m.Inputs 'applicationHost.config') }
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
