<#
    Test-MapiHttpAutodiscover in a real pwsh as an admin runs it (issue 14): against the lab front ends'
    /autodiscover/autodiscover.xml (tests/MapiHttpTools.LabHost), with Exchange's cmdlets stood in where the
    judgement reads the configuration. The lab user authenticates with Basic: Linux cannot produce Negotiate/NTLM.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/TestSupport.ps1')
    Import-Module $ModuleManifest -Force -ErrorAction Stop
    $script:lab = Start-MapiLab -Fault None, AutodiscoverMapiHttpOff, AutodiscoverWrongUrls, AutodiscoverRedirect, AutodiscoverError600, AutodiscoverRedirectLoop
    $script:password = 'P@ssw0rd!lab'
    $script:cred = [pscredential]::new('CONTOSO\labuser', (ConvertTo-SecureString $password -AsPlainText -Force))
    function script:AutodiscoverUri([string] $Fault) { "https://mail.contoso.lab:$($lab.Servers[$Fault].Port)/autodiscover/autodiscover.xml" }
    function script:Ask([string] $Fault, [string] $Email = 'labuser@contoso.lab') {
        Test-MapiHttpAutodiscover -EmailAddress $Email -Uri (AutodiscoverUri $Fault) -TargetAddress $lab.Servers[$Fault].Address -Credential $cred -TimeoutSec 5
    }
    function script:New-LabMailbox([string] $Alias, [Nullable[bool]] $MapiHttpEnabled) {
        New-ExchangeCasMailbox $Alias -MapiHttpEnabled $MapiHttpEnabled
    }
}

AfterAll {
    Remove-ExchangeStandIns
    Stop-MapiLab $script:lab
}

Describe 'Test-MapiHttpAutodiscover against the lab' {
    AfterEach { Remove-ExchangeStandIns }

    It 'a healthy front end offers the mapiHttp block, and its /mapi URL passes the endpoint probe' {
        $results = Ask 'None'
        $results.Check | Should -Be @('Dns', 'TcpConnect', 'Tls', 'AnonymousRequest', 'PoxRequest', 'MapiHttp', 'MapiEndpoint')
        $block = $results | Where-Object Check -eq 'MapiHttp'
        $block.Status | Should -Be 'Pass'
        $block.MailStoreInternalUrl | Should -Be "https://mail.contoso.lab:$($lab.Servers['None'].Port)/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.lab"
        $block.OtherProtocols | Should -Be @('EXCH', 'EXPR', 'WEB')
        ($results | Where-Object Check -eq 'MapiEndpoint').Status | Should -Be 'Pass'
        $results[0].PSObject.TypeNames[0] | Should -Be 'MapiHttpTools.MapiHttpAutodiscoverResult'
    }

    It 'compares the block with the MAPI virtual directory that Get-MapiVirtualDirectory returns' {
        $port = $lab.Servers['None'].Port
        Install-ExchangeStandIns (New-ContosoExchangeLab -InternalUrl 'https://ex01.contoso.lab/mapi' -ExternalUrl "https://mail.contoso.lab:$port/mapi")
        $block = Ask 'None' | Where-Object Check -eq 'MapiHttp'
        $block.Status | Should -Be 'Fail'
        $block.Cause | Should -Be 'VirtualDirectory'
        $block.Message | Should -BeLike "*MailStore/InternalUrl 'https://mail.contoso.lab:$port/mapi/emsmdb/*' is not the InternalUrl of any MAPI virtual directory (EX01\mapi (Default Web Site): https://ex01.contoso.lab/mapi)*"
        $block.Message | Should -Not -BeLike '*MailStore/ExternalUrl*'
        Get-ExchangeCallText | Should -Contain 'Get-MapiVirtualDirectory'
    }

    It 'passes when the block carries the virtual directory''s URLs' {
        $url = "https://mail.contoso.lab:$($lab.Servers['None'].Port)/mapi"
        Install-ExchangeStandIns (New-ContosoExchangeLab -InternalUrl $url -ExternalUrl $url)
        (Ask 'None' | Where-Object Check -eq 'MapiHttp').Status | Should -Be 'Pass'
    }

    It 'without the block, names the mailbox setting that turned MAPI/HTTP off and the exact fix' {
        $exchange = New-ContosoExchangeLab
        $exchange.Mailboxes = @(New-LabMailbox 'labuser' $false)
        Install-ExchangeStandIns $exchange
        $block = Ask 'AutodiscoverMapiHttpOff' | Where-Object Check -eq 'MapiHttp'
        $block.Status | Should -Be 'Fail'
        $block.Cause | Should -Be 'NotEnabled'
        $block.Message | Should -BeLike '*the mailbox has MapiHttpEnabled $false, which overrides the organisation*'
        $block.Recommendation | Should -Be "Set-CASMailbox -Identity 'contoso.lab/Users/Labuser Example' -MapiHttpEnabled `$null (then the mailbox follows the organisation, which has it on)"
        Get-ExchangeCallText | Should -Contain 'Get-CASMailbox Identity=labuser@contoso.lab'
        Get-ExchangeCallText | Should -Contain 'Get-OrganizationConfig'
    }

    It 'without the block and without Exchange cmdlets, says organisation or mailbox' {
        $block = Ask 'AutodiscoverMapiHttpOff' | Where-Object Check -eq 'MapiHttp'
        $block.Cause | Should -Be 'NotEnabled'
        $block.Recommendation | Should -Be "Get-OrganizationConfig | Format-List MapiHttpEnabled; Get-CASMailbox -Identity 'labuser@contoso.lab' | Format-List MapiHttpEnabled,MAPIEnabled"
    }

    It '<Fault> ends in <Check> with <Cause>' -ForEach @(
        @{ Fault = 'AutodiscoverWrongUrls'; Check = 'MapiHttp'; Cause = 'VirtualDirectory'; Text = "*the certificate served at 'wrong.contoso.lab:*' does not cover that name*" }
        @{ Fault = 'AutodiscoverError600'; Check = 'PoxRequest'; Cause = 'Network'; Text = "*answered error 600 ('Invalid Request')*" }
        @{ Fault = 'AutodiscoverRedirectLoop'; Check = 'Redirect'; Cause = 'VirtualDirectory'; Text = '*a redirect loop*' }
    ) {
        $finding = Ask $Fault | Where-Object Check -eq $Check
        $finding.Status | Should -Be 'Fail'
        $finding.Cause | Should -Be $Cause
        $finding.Message | Should -BeLike $Text
    }

    It 'follows a redirectAddr and a redirectUrl, reporting each hop' {
        $results = Ask 'AutodiscoverRedirect'
        ($results | Where-Object Check -eq 'Redirect').Evidence.Action | Should -Be @('redirectAddr', 'redirectUrl')
        ($results | Select-Object -Last 1).Hop | Should -Be 3
        ($results | Where-Object Check -eq 'MapiHttp').EmailAddress | Should -Be 'labuser.redirected@contoso.lab'
    }

    It 'binds PrimarySmtpAddress of piped mailboxes, asks the SCP first in Exchange Management Shell and skips the rest as Outlook does' {
        $url = "https://mail.contoso.lab:$($lab.Servers['None'].Port)/mapi"
        $exchange = New-ContosoExchangeLab -InternalUrl $url -ExternalUrl $url
        $exchange.ClientAccessServices = @(ConvertFrom-ClixmlObject @('Microsoft.Exchange.Data.Directory.Management.ClientAccessService', 'System.Object') 'EX01' @(
                '<S N="Name">EX01</S>', "<URI N=`"AutoDiscoverServiceInternalUri`">$(AutodiscoverUri 'None')</URI>"))
        Install-ExchangeStandIns $exchange
        $results = Get-CASMailbox -Identity alice | Test-MapiHttpAutodiscover -TargetAddress $lab.Servers['None'].Address -Credential $cred -TimeoutSec 5
        $results[0].EmailAddress | Should -Be 'alice@contoso.lab'
        $results[0].Uri | Should -Be (AutodiscoverUri 'None')
        ($results | Where-Object Check -eq 'MapiHttp').Status | Should -Be 'Pass'
        ($results | Where-Object Check -eq 'Candidate').Status | Sort-Object -Unique | Should -Be 'Skipped'
        ($results | Where-Object Check -eq 'Candidate').Uri | Should -Be @('https://contoso.lab/autodiscover/autodiscover.xml', 'https://autodiscover.contoso.lab/autodiscover/autodiscover.xml',
            'http://autodiscover.contoso.lab/autodiscover/autodiscover.xml', 'https://_autodiscover._tcp.contoso.lab/autodiscover/autodiscover.xml')
        Get-ExchangeCallText | Should -Contain 'Get-ClientAccessService'
    }

    It 'reads well at 120 columns and never shows the password' {
        $text = Ask 'AutodiscoverRedirect' | Out-String -Width 120
        $text | Should -Not -Match 'MapiHttpTools\.'
        $text | Should -Not -Match 'System\.String\[\]'
        ($text -split "`n" | Where-Object { $_.TrimEnd().Length -gt 120 }) | Should -BeNullOrEmpty
        $text | Should -Match 'Autodiscover: labuser@contoso.lab at https://mail.contoso.lab:\d+/autodiscover/autodiscover.xml'
        $all = (Ask 'None' | Format-List * | Out-String) + ($text)
        $all | Should -Not -Match ([regex]::Escape($password))
    }

    It 'refuses an address without a domain with its error id' {
        Test-MapiHttpAutodiscover -EmailAddress 'labuser' -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be 'InvalidEmailAddress,MapiHttpTools.Commands.TestMapiHttpAutodiscoverCommand'
        $problems[0].TargetObject | Should -Be 'labuser'
    }
}
