@{
    RootModule           = 'MapiHttpTools.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '04460d89-9240-4258-a90d-58a739a23dff'
    Author               = 'MapiHttpTools contributors'
    CompanyName          = 'MapiHttpTools'
    Copyright            = '(c) 2026 MapiHttpTools contributors. MIT License.'
    Description          = 'Finds out why Outlook cannot use MAPI over HTTP against on-premises Exchange 2016, 2019 and Subscription Edition, names the cause (virtual directory, not enabled, authentication, app pool, network, certificate, client) and fixes what can safely be fixed.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('MapiHttpTools.format.ps1xml')
    TypesToProcess       = @('MapiHttpTools.types.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Test-MapiHttpEndpoint'
        'Test-MapiHttpAutodiscover'
        'Test-MapiHttpAuthentication'
        'Get-MapiAppPoolHealth'
        'Get-MapiHttpClientState'
        'Repair-MapiHttpClientState'
        'Repair-MapiVirtualDirectory'
        'Read-MapiHttpLog'
        'Get-MapiHttpLogSummary'
        'Get-MapiHttpMailboxState'
        'Export-MapiHttpSnapshot'
        'Invoke-MapiHttpDiagnostic'
        'Test-ExchangeClientProtocol'
        'Export-MapiHttpReport'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Exchange', 'MAPI', 'MapiHttp', 'Outlook', 'Diagnostics', 'Troubleshooting', 'IIS', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'First release: Test-MapiHttpEndpoint and the result model.'
        }
    }
}
