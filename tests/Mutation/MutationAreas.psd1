# The code that decides (issue 19): each area names the source files whose mutants count towards its score.
# Paths are relative to src/MapiHttpTools. One list, read by Invoke-MutationTest.ps1 (what to mutate) and
# Get-MutationScore.ps1 (how to score), so the two cannot disagree.
@{
    Probe          = @('Probing/ProbeJudgement.cs', 'Probing/CertificateFacts.cs', 'Probing/AuthenticationSchemes.cs')
    ExchangeChecks = @('Exchange/Checks/*.cs')
    Iis            = @('Iis/MapiIisBaseline.cs', 'Iis/MapiPoolJudgement.cs', 'Iis/MapiApplicationJudgement.cs')
    Repair         = @('Repair/RepairPlanner.cs', 'Repair/RestoreGuard.cs')
    RegFile        = @('ClientState/RegFileParser.cs')
    Logs           = @('Logs/LogSummaryBuilder.cs', 'Logs/LatencyHistogram.cs')
    Snapshot       = @('Exchange/Snapshot/SnapshotDocument.cs')
    Verdict        = @('Diagnostics/VerdictRanking.cs', 'Diagnostics/VerdictFindings.cs')
}
