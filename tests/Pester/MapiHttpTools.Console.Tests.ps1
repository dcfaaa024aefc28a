<#
    What an admin's console shows (issue 13), in a real pwsh: the default table and list view of every result type
    at 120 columns (no type names, no System.String[], the designed columns), and Get-Help -Full of every cmdlet.
#>

BeforeDiscovery {
    $manifest = Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../MapiHttpTools.psd1')
    $script:cmdlets = @($manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/TestSupport.ps1')
    Import-Module $ModuleManifest -Force -ErrorAction Stop
    # Copied to a neutral folder: the repository path contains "MapiHttpTools.", which a type-name check would see.
    $fixtures = Join-Path $TestDrive 'fixtures'
    Copy-Item -Recurse (Join-Path $RepoRoot 'tests/MapiHttpTools.Tests/Fixtures') $fixtures

    $script:lab = Start-MapiLab -Fault None
    $server = $lab.Servers['None']
    Install-ExchangeStandIns (New-ContosoExchangeLab -IISAuthenticationMethods Ntlm, OAuth)
    $diagnostic = Invoke-MapiHttpDiagnostic -SkipEndpointTest -SkipIisCheck
    $summary = Get-MapiHttpLogSummary -Path (Join-Path $fixtures 'Logs/HttpProxy/Mapi')
    $client = Get-MapiHttpClientState -RegistryExportPath (Join-Path $fixtures 'ClientState/disabled-hkcu.reg')
    # One sample of each result type, as the cmdlets write them.
    $script:samples = @{
        MapiHttpEndpointResult      = @(Test-MapiHttpEndpoint -Uri $server.Uri -TargetAddress $server.Address -TimeoutSec 5)
        MapiAppPoolHealthResult     = @(Get-MapiAppPoolHealth -ConfigurationPath (Join-Path $fixtures 'css-exchange/IIS/applicationHost.config'))
        MapiHttpClientStateResult   = @($client)
        MapiHttpClientFinding       = @($client.Findings)
        MapiRepairResult            = @($diagnostic | Repair-MapiVirtualDirectory -WhatIf -WarningAction SilentlyContinue 6>$null)
        HttpProxyLogRecord          = @(Read-MapiHttpLog -Path (Join-Path $fixtures 'Logs/HttpProxy/Mapi'))
        MapiHttpLogSummary          = @($summary)
        MapiHttpLogStatistics       = @($summary.ByUser)
        MapiHttpLogFinding          = @($summary.Findings)
        MapiHttpConfigurationResult = @($diagnostic | Where-Object Check -ne 'Verdict')
        MapiHttpVerdictResult       = @($diagnostic | Where-Object Check -eq 'Verdict')
        MapiHttpServerSummary       = @(($diagnostic | Where-Object Check -eq 'Verdict').ServerSummary)
        MapiHttpMailboxStateResult  = @(Get-MapiHttpMailboxState)
        ExchangeClientProtocolResult = @(Test-ExchangeClientProtocol -Uri imaps://mail.contoso.lab:1 -TargetAddress 127.0.0.1 -TimeoutSec 5 -SkipExchangeCheck)
    }
    Remove-ExchangeStandIns
}

AfterAll {
    Stop-MapiLab $script:lab
}

Describe 'Default views at 120 columns' {
    It '<Type> table shows the designed columns and no type names' -ForEach @(
        @{ Type = 'MapiHttpEndpointResult'; Header = 'Status Cause Check Address Ms Message' }
        @{ Type = 'MapiAppPoolHealthResult'; Header = 'Status Cause Name State Message' }
        @{ Type = 'MapiHttpClientStateResult'; Header = 'Status Cause User Outlook Disabled Message' }
        @{ Type = 'MapiHttpClientFinding'; Header = 'Status Cause Check Message' }
        @{ Type = 'MapiRepairResult'; Header = 'Outcome Action Machine Change or message' }
        @{ Type = 'HttpProxyLogRecord'; Header = 'DateTime (UTC) Status Ms RequestType User FrontEnd BackEnd Client' }
        @{ Type = 'MapiHttpLogSummary'; Header = 'Status Requests Failures 401 % 503 Bursts P50 ms P95 ms P99 ms Malformed Findings' }
        @{ Type = 'MapiHttpLogStatistics'; Header = 'Dimension Key Requests Failures 401 % 503 P50 P95 P99 FailuresByStatus' }
        @{ Type = 'MapiHttpLogFinding'; Header = 'Status Cause Server Since (UTC) Message' }
        @{ Type = 'MapiHttpConfigurationResult'; Header = 'Status Cause Check Server Message' }
        @{ Type = 'MapiHttpVerdictResult'; Header = 'Status Causes Servers Verdict' }
        @{ Type = 'MapiHttpServerSummary'; Header = 'Server Exchange Status Problems Causes First fix' }
        @{ Type = 'MapiHttpMailboxStateResult'; Header = 'Status EffectiveProtocol Mailbox Message' }
        @{ Type = 'ExchangeClientProtocolResult'; Header = 'Status Cause Check Address Message' }
    ) {
        $objects = $samples[$Type]
        $objects.Count | Should -BeGreaterThan 0
        $objects[0].PSObject.TypeNames[0] | Should -Be "MapiHttpTools.$Type"
        $text = $objects | Out-String -Width 120
        $lines = $text -split "`r?`n"
        $headerLine = $lines | Where-Object { $_.Trim() } | Where-Object { $_ -notmatch '^\s+\w+: ' } | Select-Object -First 1
        ($headerLine.Trim() -split '\s+') -join ' ' | Should -Be $Header
        $lines | Where-Object Length -GT 120 | Should -BeNullOrEmpty
        $text | Should -Not -Match 'MapiHttpTools\.'
        $text | Should -Not -Match 'System\.'
    }

    It 'the server summary shows each server''s Exchange release beside its name, wrapped between words' {
        # Issue 15: the stand-in EX01 is the real E19 export, AdminDisplayVersion "Version 15.2 (Build 986.5)".
        $lines = ($samples['MapiHttpServerSummary'] | Out-String -Width 120) -split "`r?`n"
        $row = [array]::FindIndex([string[]]$lines, [Predicate[string]] { param($l) $l.StartsWith('EX01 ') })
        $lines[$row].Substring(0, 32).TrimEnd() | Should -Be 'EX01             Exchange 2019'
        $lines[$row + 1].Substring(0, 32).Trim() | Should -Be 'CU11'
        $samples['MapiHttpServerSummary'][0].ExchangeBuild | Should -Be '15.2.986.5'
    }

    It '<Type> table wraps its Message between words, never inside one' -ForEach @(
        'MapiHttpEndpointResult', 'MapiAppPoolHealthResult', 'MapiHttpClientStateResult', 'MapiHttpClientFinding', 'MapiHttpLogFinding',
        'MapiHttpConfigurationResult', 'MapiHttpVerdictResult', 'MapiHttpMailboxStateResult' | ForEach-Object { @{ Type = $_ } }
    ) {
        # Issue 11: PowerShell's own table wrap cut words at the column edge ("Autodisc" / "over"). Every word of every
        # Message (up to the column's width) must stand whole on one line of the table.
        $objects = $samples[$Type]
        $text = $objects | Out-String -Width 120
        $words = @($objects | ForEach-Object { [string]$_.Message -split '\s+' } | Where-Object { $_.Length -ge 3 -and $_.Length -le 40 } | Select-Object -Unique)
        $words.Count | Should -BeGreaterThan 3
        $cut = @($words | Where-Object { -not $text.Contains($_) })
        $cut | Should -BeNullOrEmpty -Because "these words were wrapped inside: $($cut -join ', ')"
    }

    It '<Type> list shows values, not type names' -ForEach @(
        'MapiHttpEndpointResult', 'MapiAppPoolHealthResult', 'MapiHttpClientStateResult', 'MapiHttpClientFinding', 'MapiRepairResult', 'HttpProxyLogRecord',
        'MapiHttpLogSummary', 'MapiHttpLogStatistics', 'MapiHttpLogFinding', 'MapiHttpConfigurationResult', 'MapiHttpVerdictResult', 'MapiHttpMailboxStateResult', 'ExchangeClientProtocolResult' | ForEach-Object { @{ Type = $_ } }
    ) {
        $text = $samples[$Type] | Select-Object -First 3 | Format-List | Out-String -Width 120
        $text | Should -Match 'Status\s+: '
        $text | Should -Not -Match 'MapiHttpTools\.'
        $text | Should -Not -Match 'System\.String\[\]'
        $text | Should -Not -Match 'System\.Collections'
    }

    It '<Type> list leads with Status, Message and Recommendation and shows Evidence as key = value lines' -ForEach @(
        'MapiHttpEndpointResult', 'MapiAppPoolHealthResult', 'MapiHttpClientStateResult', 'MapiHttpClientFinding', 'MapiRepairResult', 'MapiHttpLogFinding',
        'MapiHttpConfigurationResult', 'MapiHttpVerdictResult', 'MapiHttpMailboxStateResult', 'ExchangeClientProtocolResult' | ForEach-Object { @{ Type = $_ } }
    ) {
        # Issue 15: the list view puts what an admin reads first at the top, and Evidence no longer reads
        # "{[Host, mail.contoso.lab], ...}".
        foreach ($object in @($samples[$Type] | Select-Object -First 3)) {
            $text = $object | Format-List | Out-String -Width 120
            # The first three fields: lines that start a field (a long Message continues on indented lines).
            $fields = @($text -split "`r?`n" | Where-Object { $_ -match '^\S' })
            $fields[0] | Should -Match '^Status\s+: '
            $fields[1] | Should -Match '^Message\s+: '
            $fields[2] | Should -Match '^Recommendation\s+: '
            $text | Should -Match '^\s*Status\s+: '
            $text | Should -Not -Match 'Evidence\s+: \{\['
            foreach ($key in @($object.Evidence.Keys)) {
                $text | Should -Match "(?m)(Evidence\s+: |^\s+)$([regex]::Escape($key)) = "
            }
        }
    }

    It 'the list shows each evidence value as the EvidenceSummary reads it, one line per key' {
        $pool = $samples['MapiAppPoolHealthResult'] | Where-Object Name -eq 'MSExchangeMapiFrontEndAppPool'
        $lines = @(($pool | Format-List | Out-String -Width 120) -split "`r?`n")
        $evidence = $lines.IndexOf(($lines | Where-Object { $_ -match '^Evidence\s+: ' } | Select-Object -First 1))
        $evidence | Should -BeGreaterThan 2
        $lines[$evidence] | Should -Match '^Evidence\s+: Source = '
        $lines | Should -Contain '                               Exists = True'
        $lines | Should -Contain '                               State = $null'
        $lines | Should -Contain '                               processModel.identityType = LocalSystem'
        $lines | Should -Contain '                               queueLength = 1000'
    }

    It 'the list shows arrays in evidence as "a, b, c"' {
        $result = [MapiHttpTools.TableText]::EvidenceLines([ordered]@{ Methods = [string[]]('Ntlm', 'OAuth', 'Negotiate'); Port = 443 })
        $result | Should -BeExactly "Methods = Ntlm, OAuth, Negotiate`nPort = 443"
    }

    It 'the IMAP4/POP3 table groups the rows under the URL probed, DNS row included' {
        $text = $samples['ExchangeClientProtocolResult'] | Out-String -Width 120
        @([regex]::Matches($text, 'Target: imaps://mail\.contoso\.lab:1')).Count | Should -Be 1
    }

    It 'the endpoint table groups the rows under the URI probed' {
        $text = $samples['MapiHttpEndpointResult'] | Out-String -Width 120
        $text | Should -Match ([regex]::Escape("Uri: $($lab.Servers['None'].Uri)"))
    }
}

Describe 'Get-Help <Name> -Full' -ForEach $cmdlets {
    BeforeAll {
        $script:help = Get-Help $Name -Full
        $script:full = $help | Out-String -Width 120
        $script:command = Get-Command $Name
    }

    It 'has written help: synopsis, description and at least three examples' {
        $help.Synopsis | Should -Not -BeLike "*$Name *[<CommonParameters>]*"
        $help.Synopsis.Trim() | Should -Not -BeNullOrEmpty
        ($help.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterOrEqual 3
        $full | Should -Match 'SYNTAX'
        $full | Should -Match 'PARAMETERS'
        $full | Should -Match 'Example 1: '
    }

    It 'describes every parameter' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $described = @($help.parameters.parameter | Where-Object { ($_.description.Text -join '').Trim() } | ForEach-Object Name)
        $command.Parameters.Keys | Where-Object { $_ -notin $common } | Where-Object { $_ -notin $described } | Should -BeNullOrEmpty
    }

    It 'every example parses and uses the cmdlet with parameters it has' {
        foreach ($example in @($help.examples.example)) {
            # An example's code is its command blocks and the output shown after them, separated by blank lines.
            $blocks = ($example.code -join "`n") -split '\r?\n\s*\r?\n'
            $asts = foreach ($block in $blocks) {
                $tokens = $errors = $null
                $ast = [System.Management.Automation.Language.Parser]::ParseInput($block, [ref]$tokens, [ref]$errors)
                if (-not $errors) { $ast; continue }
                # Output: a table (a rule of dashes under the header) or a list (Name : value lines).
                $isTable = $block -match '(?m)^-{2,}( +-{2,})*\s*$'
                $isList = @($block -split '\r?\n' | Where-Object { $_.Trim() -and $_ -notmatch '^\S[^:]*\s:\s' -and $_ -notmatch '^\s{10,}\S' }).Count -eq 0
                ($isTable -or $isList) | Should -BeTrue -Because "$($example.title): a block that is neither PowerShell nor output: $block"
            }
            $calls = @($asts | ForEach-Object { $_.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $n.GetCommandName() -eq $Name }, $true) })
            $calls.Count | Should -BeGreaterThan 0 -Because "$($example.title) shows $Name"
            foreach ($call in $calls) {
                foreach ($parameter in @($call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] })) {
                    $known = $command.Parameters.Keys + @($command.Parameters.Values.Aliases)
                    $parameter.ParameterName | Should -BeIn $known -Because "$($example.title) passes -$($parameter.ParameterName)"
                }
            }
        }
    }
}

Describe 'Status colour (issue 15)' {
    It 'is green Pass where the host renders ANSI, plain text otherwise, and the columns stay where they were' {
        $rendering = $PSStyle.OutputRendering
        try {
            $PSStyle.OutputRendering = 'PlainText'
            $plain = $samples['MapiHttpEndpointResult'] | Format-Table | Out-String -Stream -Width 120
            $PSStyle.OutputRendering = 'Ansi'
            $ansi = $samples['MapiHttpEndpointResult'] | Format-Table | Out-String -Stream -Width 120
        }
        finally {
            $PSStyle.OutputRendering = $rendering
        }

        ($plain -join "`n") | Should -Not -Match "`e\["
        ($ansi -join "`n") | Should -Match ([regex]::Escape("`e[92mPass`e[0m"))
        # Without the escape sequences the coloured table is the plain one, character for character.
        $stripped = $ansi | ForEach-Object { $_ -replace "`e\[[0-9;]*m", '' }
        $stripped | Should -Be $plain
    }

    It 'does not reach CSV or the objects' {
        $rendering = $PSStyle.OutputRendering
        $PSStyle.OutputRendering = 'Ansi'
        try {
            $csv = $samples['MapiHttpEndpointResult'] | Select-Object Status, Check | ConvertTo-Csv
        }
        finally {
            $PSStyle.OutputRendering = $rendering
        }

        ($csv -join "`n") | Should -Not -Match "`e\["
        $csv[1] | Should -Match '^"(Pass|Skipped|Warning|Fail|Error)",'
    }
}
