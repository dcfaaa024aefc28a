#Requires -Version 7.2
<#
.SYNOPSIS
Runs Stryker.NET over the code that decides and merges its JSON report into tests/Mutation/mutation-report.json.

.DESCRIPTION
Issue 19: the suite must catch a wrong judgement. This script mutates the files of each decision area listed in
MutationAreas.psd1 (one Stryker run over all the chosen areas), starting from the xunit project
tests/MapiHttpTools.Tests, whose module session imports the module from its own output folder so that the mutated
MapiHttpTools.dll is the one under test. Stryker needs --target-framework net472 on this solution (the module is net472;
the tests are net10.0).

The files of the run replace their entries in the committed report (paths made relative to the repository), so an
area can be rerun alone; the scores per area are printed at the end by Get-MutationScore.ps1. Not part of CI: a full
run takes tens of minutes on two cores.

.PARAMETER Area
The areas to mutate (default: all of them).

.PARAMETER Concurrency
Test runners Stryker starts side by side (default: the processor count).

.PARAMETER FromReport
Merges an existing Stryker JSON report (a run made elsewhere, e.g. in another worktree of the repository) instead of
running Stryker. Paths are made relative to the repository the report was made in (its projectRoot's parent's parent).

.EXAMPLE
dotnet tool restore; dotnet pwsh ./tests/Mutation/Invoke-MutationTest.ps1 -Area RegFile

Mutates ClientState/RegFileParser.cs only and updates its entries in the report.
#>
[CmdletBinding()]
param(
    [string[]] $Area,
    [ValidateRange(1, 64)]
    [int] $Concurrency = [Environment]::ProcessorCount,
    [string] $FromReport
)
$ErrorActionPreference = 'Stop'
$repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$areas = Import-PowerShellDataFile (Join-Path $PSScriptRoot 'MutationAreas.psd1')
# "-Area A,B" from bash (pwsh -File) arrives as one string: split it.
$chosen = if ($Area) { $Area -split "," | ForEach-Object Trim } else { $areas.Keys | Sort-Object }
foreach ($name in $chosen) {
    if (-not $areas.ContainsKey($name)) { throw "Unknown area '$name'; known: $($areas.Keys -join ', ')." }
}

if ($FromReport) {
    $fresh = Get-Item -LiteralPath $FromReport
} else {
$output = Join-Path ([IO.Path]::GetTempPath()) ("mapihttptools-stryker-" + [guid]::NewGuid().ToString('n'))
$arguments = @(
    'tool', 'run', 'dotnet-stryker', '--',
    '--project', 'MapiHttpTools.csproj',
    '--target-framework', 'net472',
    '--reporter', 'json', '--reporter', 'cleartext', '--reporter', 'progress',
    '--concurrency', $Concurrency,
    '--output', $output)
foreach ($name in $chosen) {
    foreach ($pattern in $areas[$name]) { $arguments += @('--mutate', "**/src/MapiHttpTools/$pattern") }
}

Push-Location (Join-Path $repo 'tests/MapiHttpTools.Tests')
try {
    & dotnet @arguments
    if ($LASTEXITCODE -ne 0) { throw "Stryker failed (exit code $LASTEXITCODE); its log is under $output." }
}
finally {
    Pop-Location
}

$fresh = Get-ChildItem -LiteralPath $output -Recurse -Filter 'mutation-report.json' | Select-Object -First 1
if (-not $fresh) { throw "Stryker wrote no JSON report under $output." }
}
$new = Get-Content -LiteralPath $fresh.FullName -Raw | ConvertFrom-Json -AsHashtable
# Stryker writes absolute paths; its projectRoot is <repository>/src/MapiHttpTools.
$madeIn = if ($new.projectRoot -and [IO.Path]::IsPathRooted($new.projectRoot)) { Split-Path (Split-Path $new.projectRoot) } else { $repo }
$reportPath = Join-Path $PSScriptRoot 'mutation-report.json'
$merged = if (Test-Path -LiteralPath $reportPath) {
    Get-Content -LiteralPath $reportPath -Raw | ConvertFrom-Json -AsHashtable
} else {
    [ordered]@{ schemaVersion = $new.schemaVersion; thresholds = $new.thresholds; projectRoot = 'src/MapiHttpTools'; files = [ordered]@{}; testFiles = [ordered]@{} }
}

function ConvertTo-RepoPath([string] $path) {
    if ([IO.Path]::IsPathRooted($path)) { [IO.Path]::GetRelativePath($madeIn, $path).Replace('\', '/') } else { $path }
}

# Only files with mutants in this run (those the chosen areas name) replace their entries: Stryker lists every source file, most with none.
foreach ($file in $new.files.Keys) {
    if ($new.files[$file].mutants.Count -gt 0) { $merged.files[(ConvertTo-RepoPath $file)] = $new.files[$file] }
}
if (-not $merged.Contains('testFiles')) { $merged.testFiles = [ordered]@{} }
foreach ($file in $new.testFiles.Keys) { $merged.testFiles[(ConvertTo-RepoPath $file)] = $new.testFiles[$file] }
$merged.projectRoot = 'src/MapiHttpTools'
$merged | ConvertTo-Json -Depth 32 -Compress | Set-Content -LiteralPath $reportPath -Encoding utf8NoBOM
Write-Information -InformationAction Continue "Merged $($fresh.FullName) into $reportPath."

& (Join-Path $PSScriptRoot 'Get-MutationScore.ps1') -ReportPath $reportPath -Area $chosen | Format-Table -AutoSize
