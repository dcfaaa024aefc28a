<#
    Real PowerShell remoting for the Pester suite (issue 17): one OpenSSH server (sshd) per stand-in machine, each on
    its own loopback address (127.0.17.N) and one high port, with a generated host key, key authentication and the
    PowerShell subsystem of this very pwsh. Each machine has its own module folder (the built module, an older copy,
    or none) and its own offline inputs, so results differ per machine. Everything lives in a temporary folder; the
    client's known_hosts is a file there too (-Options), never ~/.ssh. Dot-source it in BeforeAll after TestSupport.ps1.
#>

function Get-FreeLoopbackPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

# Starts one sshd per machine. -Machine: hashtables with Name (the loopback address), Module ('Current', 'Old',
# 'Missing') and Hang (a subsystem that never answers); each machine gets an Inputs folder (returned) to fill.
function Start-MapiSshLab {
    param([Parameter(Mandatory)] [hashtable[]] $Machine, [Parameter(Mandatory)] [string] $Root)
    if (-not (Test-Path /usr/sbin/sshd)) {
        & (Join-Path $script:RepoRoot 'tests/setup/install-openssh.sh')
        if ($LASTEXITCODE -ne 0) { throw 'tests/setup/install-openssh.sh could not install openssh-server.' }
    }
    New-Item -ItemType Directory -Path $Root -Force | Out-Null
    $clientKey = Join-Path $Root 'client_ed25519'
    & ssh-keygen -q -t ed25519 -N '' -f $clientKey | Out-Null
    Copy-Item "$clientKey.pub" (Join-Path $Root 'authorized_keys')
    # sshd refuses to start without its privilege separation directory.
    if (-not (Test-Path /run/sshd)) { New-Item -ItemType Directory -Path /run/sshd -Force | Out-Null }
    $pwsh = Join-Path $PSHOME 'pwsh'
    $port = Get-FreeLoopbackPort
    $manifest = Import-PowerShellDataFile $script:ModuleManifest
    $machines = foreach ($m in $Machine) {
        $dir = Join-Path $Root $m.Name
        $modules = Join-Path $dir 'Modules'
        # The remote pwsh starts in its home folder: the machine's inputs are there, so one relative path fits every machine.
        $home_ = Join-Path $dir 'home'
        $inputs = $home_
        New-Item -ItemType Directory -Path $modules, $inputs, $home_ -Force | Out-Null
        switch ($m.Module) {
            'Current' { Copy-Item (Split-Path $script:ModuleManifest) -Destination $modules -Recurse }
            'Old' {
                Copy-Item (Split-Path $script:ModuleManifest) -Destination $modules -Recurse
                $old = Join-Path $modules 'MapiHttpTools/MapiHttpTools.psd1'
                (Get-Content -Raw $old) -replace "ModuleVersion\s*=\s*'[^']+'", "ModuleVersion        = '0.0.1'" | Set-Content -NoNewline $old
            }
        }
        & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $dir 'host_ed25519') | Out-Null
        # The subsystem: this pwsh with the machine's own module path and a home folder under the test's folder.
        $subsystem = Join-Path $dir 'subsystem.sh'
        $dotnetRoot = if ($env:DOTNET_ROOT) { "export DOTNET_ROOT='$env:DOTNET_ROOT'`n" } else { '' }
        $body = if ($m.Hang) { "echo `$`$ >> '$dir/hang.pids'`nexec sleep 120`n" } else { "exec '$pwsh' -sshs -NoLogo -NoProfile`n" }
        Set-Content -LiteralPath $subsystem -Value ("#!/bin/sh`nexport PSModulePath='$modules'`nexport HOME='$home_'`nexport XDG_DATA_HOME='$home_/data'`nexport XDG_CACHE_HOME='$home_/cache'`nexport XDG_CONFIG_HOME='$home_/config'`n$dotnetRoot" + "cd '$inputs'`n" + $body) -NoNewline
        & chmod 755 $subsystem
        $config = Join-Path $dir 'sshd_config'
        Set-Content -LiteralPath $config -Value @(
            "Port $port", "ListenAddress $($m.Name)", "HostKey $dir/host_ed25519", "PidFile $dir/sshd.pid",
            "AuthorizedKeysFile $Root/authorized_keys", 'PubkeyAuthentication yes', 'PasswordAuthentication no',
            'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', 'PermitRootLogin prohibit-password',
            "Subsystem powershell $subsystem")
        $process = Start-Process -FilePath /usr/sbin/sshd -ArgumentList '-D', '-f', $config, '-E', (Join-Path $dir 'sshd.log') -PassThru
        [pscustomobject]@{ Name = $m.Name; Inputs = $inputs; Process = $process; Log = (Join-Path $dir 'sshd.log') }
    }
    # Ready when each listens.
    foreach ($m in $machines) {
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while ($true) {
            $client = [System.Net.Sockets.TcpClient]::new()
            try { $client.Connect($m.Name, $port); break } catch { if ([DateTime]::UtcNow -gt $deadline) { throw "sshd on $($m.Name):$port did not start: $(Get-Content -Raw $m.Log)" }; Start-Sleep -Milliseconds 100 } finally { $client.Dispose() }
        }
    }
    $userName = [Environment]::UserName
    [pscustomobject]@{
        Root = $Root; Port = $port; UserName = $userName; KeyFilePath = $clientKey; Machines = $machines
        Options = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = (Join-Path $Root 'known_hosts'); LogLevel = 'QUIET' }
        ModuleVersion = $manifest.ModuleVersion
    }
}

# The -HostName/-Port/-UserName/-KeyFilePath/-Options of a lab, for splatting into a module cmdlet.
function Get-MapiSshLabParameters($Lab) {
    @{ Port = $Lab.Port; UserName = $Lab.UserName; KeyFilePath = $Lab.KeyFilePath; Options = $Lab.Options }
}

function Stop-MapiSshLab($Lab) {
    if (-not $Lab) { return }
    foreach ($m in $Lab.Machines) {
        if ($m.Process -and -not $m.Process.HasExited) { Stop-Process -Id $m.Process.Id -Force -ErrorAction SilentlyContinue }
        # The never-answering subsystems this lab started (their pids, written by themselves).
        $pids = Join-Path (Split-Path $m.Log) 'hang.pids'
        if (Test-Path $pids) { foreach ($id in Get-Content $pids) { Stop-Process -Id ([int]$id) -Force -ErrorAction SilentlyContinue } }
    }
}
