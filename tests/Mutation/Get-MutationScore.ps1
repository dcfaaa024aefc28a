#Requires -Version 7.2
<#
.SYNOPSIS
Prints the mutation score per decision area from the committed Stryker report (issue 19).

.DESCRIPTION
Reads tests/Mutation/mutation-report.json (Stryker's JSON reporter, merged per area by Invoke-MutationTest.ps1) and
the areas in MutationAreas.psd1. The score is Stryker's: (Killed + Timeout) / (Killed + Timeout + Survived +
NoCoverage); CompileError and Ignored mutants do not count. With -Survivors, the surviving mutants are listed too.

.EXAMPLE
dotnet pwsh ./tests/Mutation/Get-MutationScore.ps1
#>
[CmdletBinding()]
param(
    [string] $ReportPath = (Join-Path $PSScriptRoot 'mutation-report.json'),
    [string[]] $Area,
    [switch] $Survivors
)
$ErrorActionPreference = 'Stop'
$areas = Import-PowerShellDataFile (Join-Path $PSScriptRoot 'MutationAreas.psd1')
if (-not (Test-Path -LiteralPath $ReportPath -PathType Leaf)) {
    throw "No mutation report at '$ReportPath': run tests/Mutation/Invoke-MutationTest.ps1 first."
}
$report = Get-Content -LiteralPath $ReportPath -Raw | ConvertFrom-Json -AsHashtable
# "-Area A,B" from bash (pwsh -File) arrives as one string: split it.
$names = if ($Area) { $Area -split "," | ForEach-Object Trim } else { $areas.Keys | Sort-Object }
foreach ($name in $names) {
    if (-not $areas.ContainsKey($name)) { throw "Unknown area '$name'; known: $($areas.Keys -join ', ')." }
    $counts = [ordered]@{ Killed = 0; Timeout = 0; Survived = 0; NoCoverage = 0; CompileError = 0; Ignored = 0 }
    $missing = [System.Collections.Generic.List[string]]::new()
    $left = [System.Collections.Generic.List[object]]::new()
    foreach ($pattern in $areas[$name]) {
        $like = 'src/MapiHttpTools/' + $pattern
        $files = @($report.files.Keys | Where-Object { $_ -like $like })
        if ($files.Count -eq 0) { $missing.Add($pattern); continue }
        foreach ($file in $files) {
            foreach ($mutant in $report.files[$file].mutants) {
                if ($counts.Contains($mutant.status)) { $counts[$mutant.status]++ }
                if ($mutant.status -in 'Survived', 'NoCoverage') {
                    $left.Add([pscustomobject]@{
                        Area = $name; File = $file; Line = $mutant.location.start.line; Status = $mutant.status
                        Mutator = $mutant.mutatorName; Replacement = $mutant.replacement })
                }
            }
        }
    }
    $detected = $counts.Killed + $counts.Timeout
    $valid = $detected + $counts.Survived + $counts.NoCoverage
    [pscustomobject]@{
        Area         = $name
        Score        = if ($valid) { [math]::Round(100.0 * $detected / $valid, 2) } else { $null }
        Killed       = $counts.Killed
        Timeout      = $counts.Timeout
        Survived     = $counts.Survived
        NoCoverage   = $counts.NoCoverage
        CompileError = $counts.CompileError
        Ignored      = $counts.Ignored
        NotInReport  = $missing -join ', '
    }
    if ($Survivors) { $left | ForEach-Object { Write-Information -InformationAction Continue ("{0}:{1} {2} {3}: {4}" -f $_.File, $_.Line, $_.Status, $_.Mutator, $_.Replacement) } }
}
