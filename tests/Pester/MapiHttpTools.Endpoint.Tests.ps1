<#
    Test-MapiHttpEndpoint in a real pwsh against the lab's Exchange front ends, each started broken in one known way
    by tests/MapiHttpTools.LabHost (issue 13). The module is imported through its manifest, as an admin does.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot 'Support/TestSupport.ps1')
    Import-Module $ModuleManifest -Force -ErrorAction Stop
    $script:lab = Start-MapiLab -Fault None, MapiAppPoolStopped, FrontEndDown, MapiMissing, NegotiateMissing, AnonymousAllowed, CertificateExpired, CertificateWrongName, CertificateUntrusted, ConnectionReset, Slow, Hang -SlowDelayMs 4000
    function script:Probe([string] $Fault, [int] $TimeoutSec = 5) {
        $server = $lab.Servers[$Fault]
        Test-MapiHttpEndpoint -Uri $server.Uri -TargetAddress $server.Address -TimeoutSec $TimeoutSec
    }
}

AfterAll {
    Stop-MapiLab $script:lab
}

Describe 'Test-MapiHttpEndpoint against lab front ends' {
    It 'passes every hop of a healthy front end and names it from its own headers' {
        $results = Probe 'None'
        $results.Check | Should -Be @('Dns', 'TcpConnect', 'Tls', 'HealthCheck', 'EmsmdbAnonymous', 'NspiAnonymous', 'EmsmdbPing', 'NspiPing')
        ($results | Where-Object Check -in 'TcpConnect', 'Tls', 'HealthCheck', 'EmsmdbAnonymous', 'NspiAnonymous').Status | Sort-Object -Unique | Should -Be 'Pass'
        ($results | Where-Object Check -eq 'HealthCheck').Server | Should -Be 'EX01.contoso.lab'
        ($results | Where-Object Check -eq 'EmsmdbAnonymous').Evidence['X-FEServer'] | Should -Be 'EX01'
        ($results | Where-Object Check -eq 'EmsmdbPing').Status | Should -Be 'Skipped'
        $results[0].PSObject.TypeNames[0] | Should -Be 'MapiHttpTools.MapiHttpEndpointResult'
    }

    It '<Fault> fails <Check> with cause <Cause> and status code <StatusCode>' -ForEach @(
        @{ Fault = 'MapiAppPoolStopped'; Check = 'HealthCheck'; Cause = 'AppPool'; StatusCode = 503; Text = 'MAPI application pool' }
        @{ Fault = 'FrontEndDown'; Check = 'HealthCheck'; Cause = 'Network'; StatusCode = 503; Text = 'all protocols on this front end fail' }
        @{ Fault = 'MapiMissing'; Check = 'HealthCheck'; Cause = 'VirtualDirectory'; StatusCode = 404; Text = 'virtual directory is missing' }
        @{ Fault = 'NegotiateMissing'; Check = 'EmsmdbAnonymous'; Cause = 'Authentication'; StatusCode = 401; Text = 'missing Negotiate' }
        @{ Fault = 'AnonymousAllowed'; Check = 'EmsmdbAnonymous'; Cause = 'Authentication'; StatusCode = 200; Text = 'accepted an anonymous request' }
    ) {
        $finding = Probe $Fault | Where-Object Check -eq $Check
        $finding.Status | Should -Be 'Fail'
        $finding.Cause | Should -Be $Cause
        $finding.StatusCode | Should -Be $StatusCode
        $finding.Message | Should -BeLike "*$Text*"
    }

    It '<Fault> fails Tls with cause Certificate and skips the HTTP checks' -ForEach @(
        @{ Fault = 'CertificateExpired'; Text = 'expired on' }
        @{ Fault = 'CertificateWrongName'; Text = "does not cover 'mail.contoso.lab'" }
        @{ Fault = 'CertificateUntrusted'; Text = 'root trusted by this machine' }
    ) {
        $results = Probe $Fault
        $tls = $results | Where-Object Check -eq 'Tls'
        $tls.Status | Should -Be 'Fail'
        $tls.Cause | Should -Be 'Certificate'
        $tls.Message | Should -BeLike "*$Text*"
        ($results | Where-Object Check -eq 'HealthCheck').Status | Should -Be 'Skipped'
    }

    It 'a connection reset at the TLS handshake is a Network failure' {
        $tls = Probe 'ConnectionReset' | Where-Object Check -eq 'Tls'
        $tls.Status | Should -Be 'Fail'
        $tls.Cause | Should -Be 'Network'
    }

    It 'a front end slower than -TimeoutSec fails on the timeout' {
        # Slow, not Hang: only the Ctrl+C test below sends requests to the hanging front end.
        $health = Probe 'Slow' -TimeoutSec 1 | Where-Object Check -eq 'HealthCheck'
        $health.Status | Should -Be 'Fail'
        $health.Cause | Should -Be 'Network'
        $health.Evidence['TimedOut'] | Should -BeTrue
        $health.Message | Should -BeLike '*no answer within 1 s*'
    }

    It 'reports progress per address and completes it' {
        $server = $lab.Servers['None']
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($m, $u) Import-Module $m; Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1, 127.0.0.1 -TimeoutSec 5').AddArgument($ModuleManifest).AddArgument($server.Uri)
            $null = $ps.Invoke()
            $progress = @($ps.Streams.Progress)
            $progress.StatusDescription | Should -Contain '0 of 2 addresses probed'
            ($progress | Where-Object StatusDescription -eq '1 of 2 addresses probed').PercentComplete | Should -Contain 50
            $progress[-1].RecordType | Should -Be 'Completed'
            $progress[-1].Activity | Should -Be 'Testing MAPI/HTTP endpoints'
        }
        finally { $ps.Dispose() }
    }

    It 'Ctrl+C (PowerShell.Stop) on a probe of a hanging server returns within a second' {
        $server = $lab.Servers['Hang']
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($m, $u) Import-Module $m; Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 120').AddArgument($ModuleManifest).AddArgument($server.Uri)
            $running = $ps.BeginInvoke()
            $null = Wait-LabRequest $lab 'Hang'
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $clock.Stop()
            $running.AsyncWaitHandle.WaitOne(5000) | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $clock.Elapsed.TotalMilliseconds | Should -BeLessThan 1000
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Lab PKI hygiene' {
    It 'trusts the lab root only for the run (removed again by Stop-MapiLab)' {
        $probe = Start-MapiLab -Fault None
        $thumbprint = $probe.Root.Thumbprint
        Test-TrustedRoot $thumbprint | Should -BeTrue
        Stop-MapiLab $probe
        Test-TrustedRoot $thumbprint | Should -BeFalse
    }
}
