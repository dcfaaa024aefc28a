<#
    Test-MapiHttpAuthentication in a real pwsh as an admin runs it (issue 14): setspn output saved the way Windows
    PowerShell's redirection saves it (UTF-16, CRLF), a Get-ClientAccessService export in the remote session's shape,
    the real E19 applicationHost.config, and Exchange's cmdlets stood in for the live run.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/TestSupport.ps1')
    Import-Module $ModuleManifest -Force -ErrorAction Stop
    $script:Fixtures = Join-Path $RepoRoot 'tests/MapiHttpTools.Tests/Fixtures/Kerberos'
    $script:Config = Join-Path $CssExchange 'IIS/applicationHost.config'

    # What "setspn -Q HTTP/mail.contoso.com > spn.txt" leaves in Windows PowerShell 5.1: UTF-16 LE with a BOM, CRLF.
    function script:Save-Setspn([string] $Name, [string[]] $Lines) {
        $path = Join-Path $TestDrive $Name
        [System.IO.File]::WriteAllText($path, (($Lines -join "`r`n") + "`r`n"), [System.Text.Encoding]::Unicode)
        $path
    }
    function script:Results([object[]] $Output) { @($Output | Where-Object { $_ -is [MapiHttpTools.MapiHttpConfigurationResult] }) }

    $script:OnComputer = Save-Setspn 'spn-computer.txt' @(
        'Checking domain DC=contoso,DC=com'
        'CN=EX01,OU=Exchange Servers,DC=contoso,DC=com'
        "`texchangeMDB/EX01.contoso.com"
        "`tHTTP/mail.contoso.com"
        "`tHOST/EX01.contoso.com"
        "`tHOST/EX01"
        ''
        'Existing SPN found!')
    $script:Missing = Save-Setspn 'spn-missing.txt' @('Checking domain DC=contoso,DC=com', '', 'No such SPN found.')
    $script:OnAsa = Save-Setspn 'spn-asa.txt' @('Checking domain DC=contoso,DC=lab', 'CN=EXCH-ASA,CN=Computers,DC=contoso,DC=lab', "`tHTTP/ex01.contoso.lab", '', 'Existing SPN found!')
}

AfterAll {
    Remove-ExchangeStandIns
}

Describe 'Test-MapiHttpAuthentication offline' {
    It 'fails an ASA on some servers only and an SPN on a computer account, each with its exact fix' {
        $results = Results (Test-MapiHttpAuthentication -Namespace mail.contoso.com -SetspnOutputPath $OnComputer -ClientAccessServicePath (Join-Path $Fixtures 'GetClientAccessService-Partial.xml') -ApplicationHostConfigPath $Config -SkipEndpointTest)

        $results.Check | Should -Be @('AlternateServiceAccount', 'KerberosSpn', 'AuthenticationProviders')
        $asa, $spn, $iis = $results
        "$($asa.Status) $($asa.Cause)" | Should -Be 'Fail Authentication'
        $asa.Recommendation | Should -Be 'cd $exscripts; .\RollAlternateServiceAccountPassword.ps1 -ToSpecificServers EX01, EX02 -GenerateNewPasswordFor ''CONTOSO\EXCH-ASA$'''
        "$($spn.Status) $($spn.Cause)" | Should -Be 'Fail Authentication'
        $spn.Recommendation | Should -Be 'setspn -D HTTP/mail.contoso.com CONTOSO\EX01$; setspn -S HTTP/mail.contoso.com CONTOSO\EXCH-ASA$'
        $spn.Value | Should -Be 'CONTOSO\EX01$'
        "$($iis.Status) $($iis.Cause)" | Should -Be 'Pass None'
        $iis.Value | Should -Be 'Negotiate, NTLM'
        $results[0].PSObject.TypeNames[0] | Should -Be 'MapiHttpTools.MapiHttpConfigurationResult'
    }

    It 'warns that a missing SPN falls back to NTLM and names the setspn -S step' {
        $spn = Results (Test-MapiHttpAuthentication mail.contoso.com -SetspnOutputPath $Missing -ClientAccessServicePath (Join-Path $Fixtures 'GetClientAccessService-Asa.xml') -ApplicationHostConfigPath $Config -SkipEndpointTest) |
            Where-Object Check -eq 'KerberosSpn'
        "$($spn.Status) $($spn.Cause)" | Should -Be 'Warning Authentication'
        $spn.Message | Should -BeLike '*falls back to NTLM.'
        $spn.Recommendation | Should -Be 'setspn -S HTTP/mail.contoso.com CONTOSO\EXCH-ASA$'
    }

    It 'stops on a file that is not setspn output with SetspnOutputInvalid and the path as target' {
        $notes = Join-Path $TestDrive 'notes.txt'
        Set-Content -LiteralPath $notes -Value 'HTTP/mail.contoso.com is on the ASA, I think'
        $failure = $null
        try { Test-MapiHttpAuthentication -Namespace mail.contoso.com -SetspnOutputPath $notes -SkipEndpointTest } catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -Be 'SetspnOutputInvalid,MapiHttpTools.Commands.TestMapiHttpAuthenticationCommand'
        $failure.CategoryInfo.Category | Should -Be 'InvalidData'
        $failure.TargetObject | Should -Be $notes
    }

    It 'stops on a Get-ClientAccessService export of something else with ClientAccessServiceFileInvalid' {
        $mailbox = Join-Path $TestDrive 'mailbox.xml'
        [pscustomobject]@{ Name = 'alice'; MapiHttpEnabled = $true } | Export-Clixml -LiteralPath $mailbox
        { Test-MapiHttpAuthentication -Namespace mail.contoso.com -ClientAccessServicePath $mailbox -SkipEndpointTest } |
            Should -Throw -ErrorId 'ClientAccessServiceFileInvalid,MapiHttpTools.Commands.TestMapiHttpAuthenticationCommand'
    }

    It 'skips the SPN lookup with the reason where Active Directory cannot be asked' -Skip:$IsWindows {
        $spn = Results (Test-MapiHttpAuthentication -Namespace mail.contoso.com -SkipEndpointTest) | Where-Object Check -eq 'KerberosSpn'
        $spn.Status | Should -Be 'Skipped'
        $spn.Message | Should -BeLike 'HTTP/mail.contoso.com was not looked up: Active Directory can only be asked from Windows*'
    }
}

Describe 'Test-MapiHttpAuthentication in Exchange Management Shell' {
    BeforeEach {
        Install-ExchangeStandIns (New-ContosoExchangeLab)
        $global:CasExport = Join-Path $Fixtures 'GetClientAccessService-Asa.xml'
        function global:Get-ClientAccessService {
            [CmdletBinding()] param([Parameter(Position = 0)][object] $Identity, [switch] $IncludeAlternateServiceAccountCredentialStatus, [string] $DomainController)
            Write-ExchangeCall 'Get-ClientAccessService' $PSBoundParameters
            Import-Clixml -LiteralPath $global:CasExport
        }
    }
    AfterEach { Remove-ExchangeStandIns }

    It 'reads the ASA and the virtual directories through the Exchange cmdlets and passes the SPN on the ASA' {
        $results = Results (Get-MapiVirtualDirectory | Test-MapiHttpAuthentication -SetspnOutputPath $OnAsa -SkipEndpointTest)

        Get-ExchangeCallText | Should -Contain 'Get-ClientAccessService IncludeAlternateServiceAccountCredentialStatus=True'
        ($results | Where-Object Check -eq 'AlternateServiceAccount').Status | Should -Be 'Pass'
        $spn = $results | Where-Object Check -eq 'KerberosSpn'
        $spn.Target | Should -Be 'ex01.contoso.lab'
        $spn.Status | Should -Be 'Pass'
        $spn.Message | Should -Be 'HTTP/ex01.contoso.lab is registered on CONTOSO\EXCH-ASA$ only, the Alternate Service Account the Client Access servers hold.'
    }
}
