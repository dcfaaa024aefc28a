<#
    IMAP4 and POP3 beside MAPI/HTTP as an admin runs it (issue 16): Invoke-MapiHttpDiagnostic -IncludeProtocol reads the
    Exchange side through the session's cmdlets (stood in by functions with Exchange's parameters, returning objects as
    a remote session delivers them) and names the failing protocol with its cause and fix; Export-MapiHttpSnapshot
    carries that side, and another pwsh with only the file gives the same results.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/TestSupport.ps1')
    Import-Module $ModuleManifest -Force -ErrorAction Stop

    $exchange = New-ContosoExchangeLab
    $exchange.ClientAccessServices = @()

    # ImapProxy left Inactive on EX01 by maintenance (Microsoft.Exchange.Data.ServiceState: Inactive 0, Active 1).
    $exchange.ComponentStates = @($exchange.ComponentStates | Where-Object Component -ne 'ImapProxy') + @(
        ConvertFrom-ClixmlObject @('Microsoft.Exchange.Data.Directory.Management.ServerComponentStatePresentationObject', 'Microsoft.Exchange.Data.ConfigurableObject', 'System.Object') 'ImapProxy' @(
            '<S N="ServerFqdn">ex01.contoso.lab</S>', '<S N="Component">ImapProxy</S>'
            (New-ClixmlEnum 'State' 'Microsoft.Exchange.Data.ServiceState' 'Inactive' 0)
            (New-ClixmlText 'Identity' 'Microsoft.Exchange.Data.Directory.ADObjectId' 'EX01')))

    # frank: IMAP4 off for his mailbox (CASMailbox ImapEnabled $false), POP3 on.
    $exchange.Mailboxes += ConvertFrom-ClixmlObject @('Microsoft.Exchange.Data.Directory.Management.CASMailbox', 'Microsoft.Exchange.Data.Directory.Management.ADPresentationObject', 'System.Object') 'Frank Example' @(
        '<S N="Name">Frank Example</S>', '<S N="DisplayName">Frank Example</S>', '<S N="SamAccountName">frank</S>'
        (New-ClixmlText 'PrimarySmtpAddress' 'Microsoft.Exchange.Data.SmtpAddress' 'frank@contoso.lab')
        '<B N="MAPIEnabled">true</B>', '<Nil N="MapiHttpEnabled" />', '<B N="ImapEnabled">false</B>', '<B N="PopEnabled">true</B>'
        (New-ClixmlText 'Identity' 'Microsoft.Exchange.Data.Directory.ADObjectId' 'contoso.lab/Users/Frank Example'))
    Install-ExchangeStandIns $exchange

    # Get-ImapSettings as Exchange returns it: LoginType a LoginOptions enum (SecureLogin 2), connection settings a list.
    $global:ImapSettings = ConvertFrom-ClixmlObject @(($Sc + 'Imap4AdConfiguration'), ($Sc + 'PopImapAdConfiguration'), 'System.Object') 'IMAP4' @(
        '<S N="Server">EX01</S>', '<S N="X509CertificateName">mail.contoso.lab</S>'
        (New-ClixmlEnum 'LoginType' ($Sc + 'LoginOptions') 'SecureLogin' 2)
        '<Obj N="ExternalConnectionSettings"><TN><T>Microsoft.Exchange.Data.MultiValuedProperty`1[[Microsoft.Exchange.Data.ProtocolConnectionSettings, Microsoft.Exchange.Data, Version=15.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]</T><T>System.Object</T></TN><LST><S>mail.contoso.lab:993:SSL</S></LST></Obj>'
        '<Obj N="InternalConnectionSettings"><TN><T>Microsoft.Exchange.Data.MultiValuedProperty`1[[Microsoft.Exchange.Data.ProtocolConnectionSettings, Microsoft.Exchange.Data, Version=15.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]</T><T>System.Object</T></TN><LST><S>ex01.contoso.lab:993:SSL</S></LST></Obj>')
    function global:Get-ImapSettings {
        [CmdletBinding()] param([object] $Server, [string] $DomainController)
        Write-ExchangeCall 'Get-ImapSettings' $PSBoundParameters
        $global:ImapSettings
    }
}

AfterAll {
    Remove-Item Function:\Get-ImapSettings -ErrorAction SilentlyContinue
    Remove-Variable -Scope Global -Name ImapSettings -ErrorAction SilentlyContinue
    Remove-ExchangeStandIns
}

Describe 'Invoke-MapiHttpDiagnostic -IncludeProtocol Imap4' {
    BeforeAll {
        $global:ExchangeCalls.Clear()
        $script:live = Invoke-MapiHttpDiagnostic -SkipIisCheck -SkipEndpointTest -IncludeProtocol Imap4 -Mailbox frank
        $script:verdict = $live | Where-Object { $_ -is [MapiHttpTools.MapiHttpVerdictResult] }
        $script:imap = @($live | Where-Object { $_ -is [MapiHttpTools.ExchangeClientProtocolResult] })
    }

    It 'asks Exchange for the IMAP4 settings, ImapProxy and the mailbox' {
        # After the MAPI/HTTP checks (the last of which reads frank's MAPI settings), the IMAP4 side, in this order.
        $calls = @(Get-ExchangeCallText)
        $mapiMailbox = [array]::IndexOf($calls, 'Get-CASMailbox Identity=frank ResultSize=100')
        $mapiMailbox | Should -BeGreaterThan 0
        $calls[($mapiMailbox + 1)..($calls.Count - 1)] | Should -Be @(
            'Get-ImapSettings Server=EX01'
            'Get-ServerComponentState Component=ImapProxy Identity=EX01'
            'Get-CASMailbox Identity=frank')
    }

    It 'names IMAP4 on EX01 and for frank in the verdict, with the cause and the command that fixes each' {
        $verdict.Status | Should -Be 'Fail'
        $verdict.Message | Should -BeLike '*Client protocols: IMAP4 fails on EX01 (Service at Component:ImapProxy); IMAP4 fails for frank (NotEnabled at Mailbox).*'
        $verdict.Message | Should -BeLike '*Fix IMAP4 on EX01: Set-ServerComponentState -Identity EX01 -Component ImapProxy -State Active -Requester HealthApi;*'
        $verdict.Message | Should -BeLike "*Fix IMAP4 for frank: Set-CASMailbox -Identity 'frank' -ImapEnabled `$true*"
    }

    It 'says why the services were not read instead of guessing' {
        $service = $imap | Where-Object Check -eq 'Service:MSExchangeIMAP4'
        $service.Status | Should -Be 'Skipped'
        $service.Message | Should -BeLike 'MSExchangeIMAP4 not read: *'
    }

    It 'gives the same IMAP4 results from a snapshot in another pwsh that has no Exchange cmdlets' {
        $path = Join-Path $TestDrive 'imap.xml'
        Export-MapiHttpSnapshot -Path $path -Mailbox frank | Out-Null
        $script = @"
Import-Module '$ModuleManifest'
Invoke-MapiHttpDiagnostic -SnapshotPath '$path' -IncludeProtocol Imap4 -Mailbox frank |
    Where-Object { `$_ -is [MapiHttpTools.ExchangeClientProtocolResult] } |
    ForEach-Object { 'ROW ' + (`$_.Check, `$_.Status, `$_.Cause, `$_.Target, `$_.Message, `$_.Recommendation -join '|') }
"@
        $child = Invoke-ChildPwsh -Script $script -Folder $TestDrive
        $child.ExitCode | Should -Be 0
        $offline = @($child.Output -split "`n" | Where-Object { $_.StartsWith('ROW ') })
        $expected = @($imap | ForEach-Object { 'ROW ' + ($_.Check, $_.Status, $_.Cause, $_.Target, $_.Message, $_.Recommendation -join '|') })
        $offline.Count | Should -Be 6
        $offline | Should -Be $expected
    }
}
