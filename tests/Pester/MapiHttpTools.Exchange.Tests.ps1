#requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Tests against a real Exchange server. Run from Exchange Management Shell with ./build.ps1 -Task Test after
    copying settings.example.psd1 to settings.psd1. Without the settings file, build.ps1 excludes the tag.
#>

BeforeDiscovery {
    $script:settingsPath = Join-Path $PSScriptRoot 'settings.psd1'
    $script:haveSettings = Test-Path $script:settingsPath
}

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/MapiHttpTools/MapiHttpTools.psd1'
    Import-Module $manifest -Force -ErrorAction Stop
    $settingsPath = Join-Path $PSScriptRoot 'settings.psd1'
    if (Test-Path $settingsPath) {
        $script:settings = Import-PowerShellDataFile $settingsPath
    }
}

Describe 'Test-MapiHttpEndpoint against a real Exchange front end' -Tag 'Exchange' -Skip:(-not $script:haveSettings) {
    It 'answers the MAPI health page with 200 and its server name' {
        $results = Test-MapiHttpEndpoint -Uri $settings.MapiUrl -TargetAddress $settings.Server
        $health = $results | Where-Object Check -eq 'HealthCheck'
        $health.Status | Should -Be 'Pass'
        $health.Evidence.HealthCheckServer | Should -Not -BeNullOrEmpty
    }

    It 'challenges anonymous requests with the methods of the virtual directory' {
        $results = Get-MapiVirtualDirectory -Server $settings.Server | Test-MapiHttpEndpoint -UrlType Internal
        $results | Where-Object Check -in 'EmsmdbAnonymous', 'NspiAnonymous' | ForEach-Object {
            $_.StatusCode | Should -Be 401
            $_.Cause | Should -BeIn 'None', 'Authentication'
        }
    }

    It 'validates the certificate IIS serves' {
        $tls = Test-MapiHttpEndpoint -Uri $settings.MapiUrl | Where-Object Check -eq 'Tls' | Select-Object -First 1
        $tls.Status | Should -BeIn 'Pass', 'Warning'
        $tls.Evidence.CertificateDnsNames | Should -Not -BeNullOrEmpty
    }

    It 'pings both endpoints as the test user' -Skip:(-not $script:settings.TestUser) {
        $credential = Get-Credential -UserName $settings.TestUser -Message 'Password of the MAPI test user'
        $results = Test-MapiHttpEndpoint -Uri $settings.MapiUrl -Credential $credential
        ($results | Where-Object Check -in 'EmsmdbPing', 'NspiPing').Status | Should -Not -Contain 'Fail'
    }
}
