<#
    The Exchange Management Shell pipelines of the README in a real pwsh (issue 13): Exchange cmdlets are stood in by
    functions with Exchange's parameter names, sets and identity types, returning objects in the shape a remote
    session or Export-Clixml delivers (deserialized, enums as type name + ToString + value).
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/TestSupport.ps1')
    Import-Module $ModuleManifest -Force -ErrorAction Stop
}

AfterAll {
    Remove-ExchangeStandIns
}

Describe 'Get-MapiVirtualDirectory | Test-MapiHttpEndpoint' {
    BeforeAll {
        # A healthy Exchange front end with the default vdir methods (Ntlm, OAuth, Negotiate) offers Bearer too.
        $script:lab = Start-MapiLab -Fault None -AuthenticationMethods Negotiate, NTLM, OAuth
        Install-ExchangeStandIns (New-ContosoExchangeLab -InternalUrl $lab.Servers['None'].Uri)
    }
    AfterAll { Stop-MapiLab $script:lab }

    It 'probes the healthy virtual directory of EX01 and finds nothing wrong with its authentication methods' {
        # The deserialized AuthenticationMethod enums are read by name (issue 11), not as 2, 10, 13.
        $results = Get-MapiVirtualDirectory -Server EX01 | Test-MapiHttpEndpoint -TargetAddress 127.0.0.1 -TimeoutSec 5
        Get-ExchangeCallText | Should -Be @('Get-MapiVirtualDirectory Server=EX01')
        $results.Identity | Sort-Object -Unique | Should -Be 'EX01\mapi (Default Web Site)'
        ($results | Where-Object Check -eq 'EmsmdbAnonymous').Server | Should -Be 'EX01'
        $results | Where-Object Status -in 'Fail', 'Error', 'Warning' | ForEach-Object { "$($_.Check) $($_.Status) $($_.Cause): $($_.Message)" } | Should -BeNullOrEmpty
        ($results | Where-Object Check -in 'EmsmdbAnonymous', 'NspiAnonymous').Status | Should -Be @('Pass', 'Pass')
    }
}

Describe 'Exchange configuration pipelines' {
    BeforeEach {
        Install-ExchangeStandIns (New-ContosoExchangeLab -IISAuthenticationMethods Ntlm, OAuth)
    }

    It 'Get-MapiHttpMailboxState -ProblemsOnly | Where-Object EffectiveProtocol -eq RpcHttp | Set-CASMailbox -WhatIf binds the mailbox by its identity' {
        Get-MapiHttpMailboxState -ProblemsOnly | Where-Object EffectiveProtocol -eq RpcHttp | Set-CASMailbox -MapiHttpEnabled $true -WhatIf
        Get-ExchangeCallText | Should -Be @(
            'Get-OrganizationConfig'
            'Get-CASMailbox Filter=MAPIEnabled -eq $false -or MapiHttpEnabled -eq $false -or MAPIBlockOutlookRpcHttp -eq $true -or MAPIBlockOutlookExternalConnectivity -eq $true -or MAPIBlockOutlookVersions -ne $null'
            'Set-CASMailbox -WhatIf Identity=contoso.lab/Users/Bob Example MapiHttpEnabled=True WhatIf=True')
    }

    It 'Get-MapiHttpMailboxState names the protocol each mailbox gets' {
        $states = Get-MapiHttpMailboxState
        ($states | ForEach-Object { "$($_.Identity)=$($_.EffectiveProtocol)/$($_.Status)" }) | Should -Be @(
            'contoso.lab/Users/Alice Example=MapiHttp/Pass'
            'contoso.lab/Users/Bob Example=RpcHttp/Fail'
            'contoso.lab/Users/Erin Example=None/Fail')
    }

    It 'Invoke-MapiHttpDiagnostic | Repair-MapiVirtualDirectory -WhatIf plans the missing Negotiate and changes nothing' {
        $repairs = Invoke-MapiHttpDiagnostic -SkipEndpointTest -SkipIisCheck | Repair-MapiVirtualDirectory -WhatIf -WarningAction SilentlyContinue
        $add = $repairs | Where-Object Action -eq 'AddAuthenticationMethods'
        $add.Outcome | Should -Be 'WhatIf'
        $add.Server | Should -Be 'EX01'
        $add.Message | Should -Be "Would set IISAuthenticationMethods of 'EX01\mapi (Default Web Site)'."
        Get-ExchangeCallText | Where-Object { $_ -like 'Set-*' -or $_ -like 'New-*' -or $_ -like 'Remove-*' } | Should -BeNullOrEmpty
    }

    It 'a snapshot exported from Exchange gives the same findings offline, without Exchange cmdlets' {
        $live = Invoke-MapiHttpDiagnostic -SkipEndpointTest -SkipIisCheck
        $path = Join-Path $TestDrive 'contoso.xml'
        $null = Export-MapiHttpSnapshot -Path $path
        Remove-ExchangeStandIns
        Get-Command Get-OrganizationConfig -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $offline = Invoke-MapiHttpDiagnostic -SnapshotPath $path
        # A snapshot holds the configuration only: IIS and the endpoints are said to be not checked, not left out.
        ($offline | Where-Object Check -in 'IisMapiApplications', 'EndpointProbe' | ForEach-Object { "$($_.Check)|$($_.Status)|$($_.Server)" }) |
            Should -Be @('IisMapiApplications|Skipped|EX01', 'EndpointProbe|Skipped|EX01')
        ($offline | Where-Object Check -notin 'IisMapiApplications', 'EndpointProbe' | ForEach-Object { "$($_.Check)|$($_.Status)|$($_.Cause)|$($_.Server)" }) |
            Should -Be ($live | ForEach-Object { "$($_.Check)|$($_.Status)|$($_.Cause)|$($_.Server)" })
        ($offline | Where-Object Check -eq 'IisAuthenticationMethods').Message | Should -BeLike '*Negotiate missing*'
    }
}

Describe 'What the console shows for -WhatIf' {
    It 'Repair-MapiVirtualDirectory -WhatIf prints the exact Exchange command it would run' {
        $run = Invoke-ChildPwsh -Folder $TestDrive -Script @"
. '$(Join-Path $PSScriptRoot 'Support/TestSupport.ps1')'
Import-Module '$ModuleManifest'
Install-ExchangeStandIns (New-ContosoExchangeLab -IISAuthenticationMethods Ntlm, OAuth)
Invoke-MapiHttpDiagnostic -SkipEndpointTest -SkipIisCheck | Repair-MapiVirtualDirectory -WhatIf | Out-Null
Get-MapiHttpMailboxState -ProblemsOnly | Where-Object EffectiveProtocol -eq RpcHttp | Set-CASMailbox -MapiHttpEnabled `$true -WhatIf
"@
        $run.ExitCode | Should -Be 0
        $lines = $run.Output -split "`n"
        $lines | Should -Contain "What if: Set IISAuthenticationMethods of 'EX01\mapi (Default Web Site)' from Ntlm, OAuth to Ntlm, OAuth, Negotiate (Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate)"
        $lines | Should -Contain 'What if: Performing the operation "Set CAS mailbox" on target "contoso.lab/Users/Bob Example".'
    }
}
