<#
.SYNOPSIS
    Issue 17: does the remoting fan-out overlap its computers? Times Get-MapiAppPoolHealth over real SSH remoting
    (one sshd per stand-in machine on 127.0.18.N, tests/Pester/Support/RemotingSupport.ps1) against one machine, against
    four with -ThrottleLimit 4 and against four with -ThrottleLimit 1, in the same run, and prints each as a ratio to
    the one-machine time: overlapping calls stay near 1x, serial ones near 4x. No assertions: a measurement.
.EXAMPLE
    dotnet build MapiHttpTools.sln; dotnet pwsh -NoProfile -File benchmarks/Remoting.Benchmark.ps1
#>
param([int] $Machines = 4, [int] $Rounds = 3)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot '../tests/Pester/Support/TestSupport.ps1')
. (Join-Path $PSScriptRoot '../tests/Pester/Support/RemotingSupport.ps1')
Import-Module $script:ModuleManifest -Force
$root = Join-Path ([IO.Path]::GetTempPath()) ('mapihttp-remoting-bench-' + [guid]::NewGuid().ToString('n'))
$names = 1..$Machines | ForEach-Object { "127.0.18.$_" }
$lab = Start-MapiSshLab -Root $root -Machine @($names | ForEach-Object { @{ Name = $_; Module = 'Current' } })
try {
    $ssh = Get-MapiSshLabParameters $lab
    foreach ($m in $lab.Machines) { Copy-Item (Join-Path $script:CssExchange 'IIS/applicationHost.config') (Join-Path $m.Inputs 'applicationHost.config') }
    # One warm-up call: the first pwsh start on a machine pays for loading the runtime from disk.
    $null = Get-MapiAppPoolHealth -HostName $names @ssh -ConfigurationPath applicationHost.config -ThrottleLimit $Machines
    function Measure-Call([string[]] $Hosts, [int] $Throttle) {
        $times = foreach ($i in 1..$Rounds) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $results = @(Get-MapiAppPoolHealth -HostName $Hosts @ssh -ConfigurationPath applicationHost.config -ThrottleLimit $Throttle)
            $clock.Stop()
            if ($results.Count -ne 6 * $Hosts.Count) { throw "expected $(6 * $Hosts.Count) results, got $($results.Count)" }
            $clock.Elapsed.TotalSeconds
        }
        ($times | Sort-Object)[[int][math]::Floor($times.Count / 2)]
    }
    $one = Measure-Call -Hosts $names[0] -Throttle 1
    $parallel = Measure-Call -Hosts $names -Throttle $Machines
    $serial = Measure-Call -Hosts $names -Throttle 1
    $load = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0] } else { '?' }
    Write-Output ("Remoting fan-out over SSH, median of {0} rounds, {1} cores, load average {2}:" -f $Rounds, [Environment]::ProcessorCount, $load)
    Write-Output ("  1 machine:                          {0:0.00} s" -f $one)
    Write-Output ("  {0} machines, -ThrottleLimit {0}:       {1:0.00} s, {2:0.00}x the one-machine time" -f $Machines, $parallel, ($parallel / $one))
    Write-Output ("  {0} machines, -ThrottleLimit 1:       {1:0.00} s, {2:0.00}x the one-machine time" -f $Machines, $serial, ($serial / $one))
}
finally {
    Stop-MapiSshLab $lab
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
}
