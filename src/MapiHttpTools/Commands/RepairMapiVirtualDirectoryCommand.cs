using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;
using MapiHttpTools.Repair;

namespace MapiHttpTools.Commands;

/// <summary>
/// Repairs the server side of MAPI over HTTP safely and reversibly (issue #7): organisation flag, virtual directory
/// URLs and authentication methods, IIS authentication of /mapi, the MAPI pools, and as a last resort the removal and
/// recreation of the virtual directory. Backs up before the first change, applies changes in a fixed order, stops at
/// the first failure, and verifies the server with the endpoint probe afterwards. The work is in Repair/.
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "MapiVirtualDirectory", DefaultParameterSetName = RepairSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(MapiRepairResult))]
public sealed class RepairMapiVirtualDirectoryCommand : MapiHttpCmdletBase
{
    private const string RepairSet = "Repair";
    private const string RecreateSet = "Recreate";
    private const string RestoreSet = "Restore";

    private readonly List<ServerGroup> _groups = new();
    private readonly HashSet<string> _emittedNotes = new(StringComparer.OrdinalIgnoreCase);
    private int _passingResults;
    private IExchangeRepairClient? _exchange;

    /// <summary>Results of Test-MapiHttpEndpoint, Get-MapiAppPoolHealth or Invoke-MapiHttpDiagnostic, virtual directories, or server names.</summary>
    [Parameter(ValueFromPipeline = true, ParameterSetName = RepairSet)]
    [Parameter(ValueFromPipeline = true, ParameterSetName = RecreateSet)]
    public PSObject? InputObject { get; set; }

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = RepairSet)]
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = RecreateSet)]
    [AllowNull]
    public object? Server { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = RepairSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = RecreateSet)]
    [AllowNull]
    public object? Identity { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    [Parameter(ParameterSetName = RecreateSet)]
    [ValidateNotNull]
    public Uri? InternalUrl { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    [Parameter(ParameterSetName = RecreateSet)]
    [ValidateNotNull]
    public Uri? ExternalUrl { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    [Parameter(ParameterSetName = RecreateSet)]
    [ValidateNotNullOrEmpty]
    [ValidateSet("Ntlm", "OAuth", "Negotiate", "Kerberos", IgnoreCase = true)]
    public string[]? AuthenticationMethods { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    public SwitchParameter EnableOrganization { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    public SwitchParameter ResetIisAuthentication { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    public SwitchParameter StartAppPools { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    public SwitchParameter RestartAppPools { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = RecreateSet)]
    public SwitchParameter Recreate { get; set; }

    [Parameter(ParameterSetName = RecreateSet)]
    public SwitchParameter Force { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = RestoreSet)]
    [ValidateNotNullOrEmpty]
    public string RestoreFrom { get; set; } = string.Empty;

    [Parameter]
    public SwitchParameter ResetIis { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BackupPath { get; set; }

    [Parameter]
    public SwitchParameter SkipVerify { get; set; }

    private IExchangeRepairClient Exchange => _exchange ??= new RunspaceExchangeClient(this);

    protected override void BeginProcessing()
    {
        if (ParameterSetName == RecreateSet && !Force)
        {
            ThrowTerminatingError(ErrorRecords.Create("RecreateRequiresForce", ErrorCategory.InvalidOperation, "Recreate",
                "-Recreate removes the MAPI virtual directory and creates it again (the last resort of the guide): Outlook loses MAPI/HTTP on the server until it is back. " +
                "Add -Force to confirm that you mean it; nothing was changed."));
        }

        CheckUrl(InternalUrl, nameof(InternalUrl));
        CheckUrl(ExternalUrl, nameof(ExternalUrl));
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == RestoreSet)
        {
            return;
        }

        object? input = InputObject?.BaseObject;
        MappedInput mapped = RepairInputMapper.Map(InputObject, Recreate);
        string? identity = Text(Identity);
        string? server = Text(Server) ?? (input is string name && !mapped.IsResult ? name : null) ?? ServerOfIdentity(identity);

        if (mapped.IsResult && !mapped.AsksForRepair && mapped.Notes.Count == 0 && !Recreate)
        {
            _passingResults++;
            return;
        }

        if (server is null)
        {
            if (InputObject is null)
            {
                ThrowTerminatingError(ErrorRecords.Create("ServerNotSpecified", ErrorCategory.InvalidArgument, null,
                    "Name the Exchange server to repair with -Server (or the virtual directory with -Identity), or pipe results that carry Server."));
            }

            foreach (SkipNote note in mapped.Notes)
            {
                EmitNote(null, null, note);
            }

            if (mapped.AsksForRepair || !mapped.IsResult)
            {
                WriteError(ErrorRecords.Create("ServerNotSpecified", ErrorCategory.InvalidArgument, InputObject,
                    "The piped object names no server (no Server or Identity property), so it cannot be repaired. Pass -Server."));
            }

            return;
        }

        ServerGroup group = Group(server);
        if (identity is not null && identity.IndexOf('\\') < 0)
        {
            // A bare name ("mapi (Default Web Site)") names that directory on every server; qualify it with the server
            // it came with (deserialized probe results carry the name only).
            identity = $"{server}\\{identity}";
        }

        if (identity is not null)
        {
            group.Identities.Add(identity);
        }

        mapped.ApplyTo(group.Request);
        group.Notes.AddRange(mapped.Notes);
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == RestoreSet)
        {
            Restore();
            return;
        }

        foreach (ServerGroup group in _groups)
        {
            ApplyExplicitParameters(group.Request);
        }

        if (_groups.Count == 0)
        {
            if (_passingResults > 0)
            {
                WriteObject(new MapiRepairResult(MapiRepairAction.None, MapiRepairOutcome.NoChange, CheckStatus.Pass, MapiHttpCause.None, null, null, null, null, null, null, null, null,
                    $"Nothing to repair: the {_passingResults} piped result(s) passed.", null, null));
            }

            return;
        }

        if (_groups.All(g => g.Request.IsEmpty && g.Notes.Count == 0) && _passingResults == 0)
        {
            ThrowTerminatingError(ErrorRecords.Create("NoRepairRequested", ErrorCategory.InvalidArgument, string.Join(", ", _groups.Select(g => g.Server)),
                "Nothing was asked to repair. Say what: -InternalUrl, -ExternalUrl, -AuthenticationMethods, -EnableOrganization, -ResetIisAuthentication, -StartAppPools, -RestartAppPools or -Recreate -Force; " +
                "or pipe findings, for example Test-MapiHttpEndpoint or Get-MapiAppPoolHealth results."));
        }

        RequireCommands(_groups.Where(g => !g.Request.IsEmpty).Select(g => g.Request).SelectMany(CommandsFor));
        foreach (ServerGroup group in _groups)
        {
            CancelToken.ThrowIfCancellationRequested();
            RepairServer(group);
        }
    }

    private void RepairServer(ServerGroup group)
    {
        if (group.Request.IsEmpty)
        {
            EmitNotes(group.Server, null, group.Notes);
            if (group.Notes.Count == 0)
            {
                WriteObject(new MapiRepairResult(MapiRepairAction.None, MapiRepairOutcome.NoChange, CheckStatus.Pass, MapiHttpCause.None, group.Server, group.Server, null, null, null, null, null, null,
                    $"Nothing to repair on {group.Server}.", null, null));
            }

            return;
        }

        if (group.Identities.Count > 1)
        {
            WriteError(ErrorRecords.Create("AmbiguousVirtualDirectory", ErrorCategory.InvalidArgument, group.Server,
                $"The input names {group.Identities.Count} MAPI virtual directories of {group.Server} ({string.Join("; ", group.Identities)}). Repair one at a time with -Identity."));
            return;
        }

        string? identity = group.Identities.FirstOrDefault();
        RepairFacts? facts = ReadFacts(group.Server, Recreate ? null : identity, group.Request.EnableOrganization, group.Request, null, out IIisRepairTarget? iis);
        if (facts is null)
        {
            return;
        }

        using (iis)
        {
            IReadOnlyList<PlannedChange> plan;
            try
            {
                plan = RepairPlanner.Plan(group.Request, facts);
            }
            catch (RepairException ex)
            {
                WriteError(ErrorRecords.Create(ex.ErrorId, ErrorCategory.InvalidOperation, group.Server, ex.Message, ex));
                return;
            }

            Run(facts, plan, iis, group.Notes, group.Request.ResetIis);
        }
    }

    private void Restore()
    {
        string path = GetUnresolvedProviderPathFromPSPath(RestoreFrom);
        RepairBackup backup;
        try
        {
            backup = RepairBackup.Read(path);
        }
        catch (RepairException ex)
        {
            ThrowTerminatingError(ErrorRecords.Create(ex.ErrorId, ex.ErrorId == "BackupNotFound" ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidData, RestoreFrom, ex.Message, ex));
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorRecords.Create("BackupInvalid", ErrorCategory.ReadError, RestoreFrom, $"'{path}' could not be read: {ex.Message}", ex));
            return;
        }

        WriteVerbose($"Restoring {backup.Server} as it was at {backup.CreatedUtc:u} from {path}.");
        var commands = new List<string> { "Get-MapiVirtualDirectory" };
        if (backup.OrganizationMapiHttpEnabled is not null)
        {
            commands.AddRange(new[] { "Get-OrganizationConfig", "Set-OrganizationConfig" });
        }

        if (backup.VirtualDirectory is not null)
        {
            commands.AddRange(new[] { "Set-MapiVirtualDirectory", "New-MapiVirtualDirectory", "Remove-MapiVirtualDirectory" });
        }

        RequireCommands(commands);

        var iisNeeds = new RepairRequest { ResetIisAuthentication = backup.WindowsAuthentication is not null || backup.AnonymousAuthentication is not null, ResetIis = ResetIis };
        foreach (string pool in backup.PoolStates.Keys)
        {
            iisNeeds.StartPools.Add(pool);
        }

        RepairFacts? facts = ReadFacts(backup.Server, null, backup.OrganizationMapiHttpEnabled is not null, iisNeeds, backup, out IIisRepairTarget? iis);
        if (facts is null)
        {
            return;
        }

        using (iis)
        {
            Run(facts, RepairPlanner.PlanRestore(backup, facts, ResetIis), iis, new List<SkipNote>(), ResetIis);
        }
    }

    /// <summary>Confirms, backs up, applies, reports and verifies one server's plan.</summary>
    private void Run(RepairFacts facts, IReadOnlyList<PlannedChange> plan, IIisRepairTarget? iis, List<SkipNote> notes, bool resetIisAsked)
    {
        string server = facts.Server;
        string? identity = facts.VirtualDirectory?.Identity;
        var approvals = new Dictionary<PlannedChange, RepairApproval>();
        bool whatIf = false;
        foreach (IGrouping<string, PlannedChange> confirm in plan.Where(c => c.IsPending).GroupBy(c => c.ConfirmGroup ?? Guid.NewGuid().ToString()))
        {
            PlannedChange[] changes = confirm.ToArray();
            string description = string.Join("; then ", changes.Select(c => c.Description));
            bool yes = ShouldProcess(description, $"{description}?", $"Repair MAPI over HTTP on {server}", out ShouldProcessReason reason);
            RepairApproval approval = yes ? RepairApproval.Approved : reason == ShouldProcessReason.WhatIf ? RepairApproval.WhatIf : RepairApproval.Declined;
            whatIf |= approval == RepairApproval.WhatIf;
            foreach (PlannedChange change in changes)
            {
                approvals[change] = approval;
            }
        }

        PlannedChange[] approved = approvals.Where(a => a.Value == RepairApproval.Approved).Select(a => a.Key).ToArray();
        string? backupPath = null;
        var backup = RepairBackup.For(facts, approved, DateTime.UtcNow);
        if (approved.Length > 0 && !backup.IsEmpty)
        {
            try
            {
                backupPath = backup.Write(BackupFolder());
                WriteVerbose($"Backed up what the repair of {server} touches to {backupPath}.");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                foreach (PlannedChange change in plan)
                {
                    WriteObject(Result(change, change.Decided ?? MapiRepairOutcome.Skipped, change.Reason ?? "Not changed: the backup could not be written, so nothing was changed.", server, identity, null, null));
                }

                WriteError(ErrorRecords.Create("BackupWriteFailed", ErrorCategory.WriteError, BackupFolder(),
                    $"The backup of {server} could not be written to '{BackupFolder()}': {ex.Message} Nothing was changed on {server}. Pass a writable folder with -BackupPath.", ex));
                return;
            }
        }

        IReadOnlyList<ChangeOutcome> outcomes = new RepairExecutor(Exchange, iis).Execute(plan, approvals, CancelToken);
        ChangeOutcome? failure = outcomes.FirstOrDefault(o => o.Outcome == MapiRepairOutcome.Failed);
        foreach (ChangeOutcome outcome in outcomes)
        {
            string message = outcome.Message;
            string? recommendation = null;
            if (outcome == failure)
            {
                string changed = Names(outcomes.Where(o => o.Outcome == MapiRepairOutcome.Changed));
                string notAttempted = Names(outcomes.Where(o => o.Outcome == MapiRepairOutcome.NotAttempted));
                recommendation = $"Repair-MapiVirtualDirectory -RestoreFrom {RunspaceExchangeClient.Argument(backupPath)}";
                message += $" The repair of {server} stopped here. Changed before it: {changed}. Not attempted: {notAttempted}. " +
                    $"Everything it was about to touch is backed up in {backupPath}; to put back what changed: {recommendation}";
            }

            WriteObject(Result(outcome.Change, outcome.Outcome, message, server, identity, backupPath, recommendation));
        }

        foreach (ChangeOutcome weaker in outcomes.Where(o => o.Change.Action == MapiRepairAction.Restore && o.Outcome is MapiRepairOutcome.Changed or MapiRepairOutcome.WhatIf
            && ((o.Change.Step == RepairStep.AnonymousAuthentication && Equals(o.Change.After, true)) || (o.Change.Step == RepairStep.WindowsAuthentication && Equals(o.Change.After, false)))))
        {
            WriteWarning($"The restore {(weaker.Outcome == MapiRepairOutcome.WhatIf ? "would put" : "put")} {weaker.Change.Setting} of {weaker.Change.Target} on {server} back to {weaker.Change.After}, as the backup recorded it: " +
                "that is the broken state the repair had fixed (anonymous requests to /mapi accepted, or Windows logons refused).");
        }

        bool resetNeeded = outcomes.Any(o => o.Change.NeedsIisReset && o.Outcome is MapiRepairOutcome.Changed or MapiRepairOutcome.WhatIf);
        if (resetNeeded && !resetIisAsked)
        {
            string command = LiveIisRepairTarget.IsThisComputer(server) ? "iisreset /noforce" : $"iisreset {server} /noforce";
            string text = whatIf
                ? $"IIS on {server} would need a reset for these changes to take effect: run {command}, or add -ResetIis."
                : $"IIS on {server} was not reset, and the Exchange changes take effect only after a reset: run {command} when a short interruption is acceptable, or run again with -ResetIis.";
            WriteWarning(text);
            string note = whatIf ? $"A reset would be needed: {command}, or -ResetIis." : $"Not reset; the Exchange changes need it: {command}, or -ResetIis.";
            WriteObject(new MapiRepairResult(MapiRepairAction.ResetIis, MapiRepairOutcome.Skipped, CheckStatus.Skipped, MapiHttpCause.None, server, server, identity, "IIS", null, null, command, backupPath, note, command, null));
        }

        EmitNotes(server, identity, notes);

        if (failure is not null)
        {
            WriteError(ErrorRecords.Create("RepairFailed", ErrorCategory.WriteError, server, failure.Message +
                $" Backup: {backupPath}; put back what changed with Repair-MapiVirtualDirectory -RestoreFrom {RunspaceExchangeClient.Argument(backupPath)}", failure.Error));
            return;
        }

        if (!whatIf && !SkipVerify)
        {
            WriteObject(Verify(facts, outcomes, backupPath));
        }
    }

    /// <summary>Reads what the plan needs: the virtual directory, the organisation flag, IIS authentication and pool states.</summary>
    private RepairFacts? ReadFacts(string server, string? identity, bool organization, RepairRequest iisNeeds, RepairBackup? backup, out IIisRepairTarget? iis)
    {
        iis = null;
        VirtualDirectoryFacts? vdir;
        try
        {
            WriteVerbose(identity is null ? $"Get-MapiVirtualDirectory -Server {server} -ADPropertiesOnly" : $"Get-MapiVirtualDirectory -Identity '{identity}' -ADPropertiesOnly");
            IReadOnlyList<VirtualDirectoryFacts> found = Exchange.GetVirtualDirectories(identity is null ? server : null, identity);
            VirtualDirectoryFacts[] frontEnd = found.Where(v => v.Identity.IndexOf("(Default Web Site)", StringComparison.OrdinalIgnoreCase) >= 0).ToArray();
            VirtualDirectoryFacts[] candidates = identity is not null || frontEnd.Length == 0 ? found.ToArray() : frontEnd;
            if (candidates.Length > 1)
            {
                WriteError(ErrorRecords.Create("AmbiguousVirtualDirectory", ErrorCategory.InvalidArgument, server,
                    $"{server} has {candidates.Length} MAPI virtual directories ({string.Join("; ", candidates.Select(c => c.Identity))}). Name one with -Identity."));
                return null;
            }

            vdir = candidates.FirstOrDefault();
        }
        catch (RepairException ex)
        {
            WriteError(ErrorRecords.Create("ExchangeReadFailed", ErrorCategory.ReadError, identity ?? server, ex.Message, ex));
            return null;
        }

        var facts = new RepairFacts(vdir?.Server is { Length: > 0 } named ? named : server) { VirtualDirectory = vdir };
        if (organization)
        {
            try
            {
                facts.OrganizationMapiHttpEnabled = Exchange.GetOrganizationMapiHttpEnabled();
            }
            catch (RepairException ex)
            {
                WriteError(ErrorRecords.Create("ExchangeReadFailed", ErrorCategory.ReadError, "Organization", ex.Message, ex));
                return null;
            }
        }

        if (iisNeeds.NeedsIis)
        {
            iis = IisRepairTargets.Open(facts.Server, Services, out string? reason);
            facts.IisUnavailableReason = reason;
            if (iis is not null)
            {
                try
                {
                    WriteVerbose($"Reading {iis.Description}.");
                    if (iisNeeds.ResetIisAuthentication)
                    {
                        facts.IisAuthentication = iis.ReadAuthentication(RepairScope.MapiLocation);
                    }

                    foreach (string pool in iisNeeds.StartPools.Concat(iisNeeds.RestartPools).Concat(backup?.PoolStates.Keys ?? Enumerable.Empty<string>()).Distinct(StringComparer.OrdinalIgnoreCase))
                    {
                        facts.PoolStates[pool] = iis.GetAppPoolState(pool);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException and not PipelineStoppedException)
                {
                    facts.IisUnavailableReason = $"IIS of {facts.Server} could not be read: {ex.Message}";
                    iis.Dispose();
                    iis = null;
                }
            }
        }

        return facts;
    }

    /// <summary>Re-runs the endpoint probe against the repaired server: its InternalUrl, connecting to the server itself.</summary>
    private MapiRepairResult Verify(RepairFacts facts, IReadOnlyList<ChangeOutcome> outcomes, string? backupPath)
    {
        string? url = facts.VirtualDirectory?.InternalUrl;
        IReadOnlyList<string> methods = facts.VirtualDirectory?.AuthenticationMethods ?? Array.Empty<string>();
        bool exists = facts.VirtualDirectory is not null;
        foreach (ChangeOutcome outcome in outcomes.Where(o => o.Outcome == MapiRepairOutcome.Changed))
        {
            switch (outcome.Change.Step)
            {
                case RepairStep.InternalUrl:
                    url = (string?)outcome.Change.After;
                    break;
                case RepairStep.AuthenticationMethods:
                    methods = (IReadOnlyList<string>)outcome.Change.After!;
                    break;
                case RepairStep.RemoveVirtualDirectory:
                    exists = false;
                    break;
                case RepairStep.NewVirtualDirectory:
                    exists = true;
                    url = outcome.Change.NewVirtualDirectory!.InternalUrl;
                    methods = outcome.Change.NewVirtualDirectory.AuthenticationMethods;
                    break;
            }
        }

        string server = facts.Server;
        string? identity = facts.VirtualDirectory?.Identity;
        if (!exists || url is null || !Uri.TryCreate(url, UriKind.Absolute, out Uri? uri))
        {
            string why = !exists ? "the server has no MAPI virtual directory" : "the virtual directory has no usable InternalUrl";
            return new MapiRepairResult(MapiRepairAction.Verify, MapiRepairOutcome.Skipped, CheckStatus.Skipped, MapiHttpCause.None, server, server, identity, null, null, null, null, backupPath,
                $"Not verified: {why}.", null, null);
        }

        string address = facts.VirtualDirectory?.Fqdn ?? server;
        IReadOnlyList<string> expected = methods.Count > 0 ? AuthenticationSchemes.Normalize(methods) : AuthenticationSchemes.DefaultExpected;
        var target = new ProbeTarget(uri, server, identity, expected, "IISAuthenticationMethods of the repaired virtual directory");
        var prober = new EndpointProber(new ProbeOptions
        {
            TargetAddresses = new[] { address },
            Resolver = Services.Resolver,
        });
        var results = new List<MapiHttpEndpointResult>();
        string command = $"Test-MapiHttpEndpoint -Uri {uri} -TargetAddress {address}";
        WriteVerbose(command);
        RunAsync(async (pipeline, token) =>
            await prober.ProbeAsync(new[] { target }, r => { lock (results) { results.Add(r); } }, null, token).ConfigureAwait(false));

        MapiHttpEndpointResult[] ordered;
        lock (results)
        {
            ordered = results.ToArray();
        }

        MapiHttpEndpointResult? worst = ordered.Where(r => r.Status is CheckStatus.Warning or CheckStatus.Fail or CheckStatus.Error).OrderByDescending(r => r.Status).FirstOrDefault();
        var evidence = new Dictionary<string, object?>
        {
            ["Uri"] = uri.ToString(),
            ["TargetAddress"] = address,
            ["Passed"] = ordered.Count(r => r.Status == CheckStatus.Pass),
            ["Failed"] = ordered.Count(r => r.Status is CheckStatus.Fail or CheckStatus.Error),
        };
        return worst is null
            ? new MapiRepairResult(MapiRepairAction.Verify, MapiRepairOutcome.Verified, CheckStatus.Pass, MapiHttpCause.None, uri.ToString(), server, identity, null, null, null, command, backupPath,
                $"Verified: {uri} answers as expected at {address} ({string.Join(", ", ordered.Where(r => r.Status == CheckStatus.Pass).Select(r => r.Check))} passed).", null, evidence, ordered)
            : new MapiRepairResult(MapiRepairAction.Verify, MapiRepairOutcome.Verified, worst.Status, worst.Cause, uri.ToString(), server, identity, null, null, null, command, backupPath,
                $"Verification of {uri} at {address} found a problem: {worst.Check}: {worst.Message}", worst.Recommendation, evidence, ordered);
    }

    private void ApplyExplicitParameters(RepairRequest request)
    {
        if (InternalUrl is not null)
        {
            request.InternalUrl = InternalUrl.OriginalString;
        }

        if (ExternalUrl is not null)
        {
            request.ExternalUrl = ExternalUrl.OriginalString;
        }

        if (AuthenticationMethods is not null)
        {
            request.AddAuthenticationMethods(AuthenticationMethods);
        }

        request.EnableOrganization |= EnableOrganization;
        request.ResetIisAuthentication |= ResetIisAuthentication;
        foreach (string pool in RepairScope.Pools)
        {
            if (StartAppPools)
            {
                request.StartPools.Add(pool);
            }

            if (RestartAppPools)
            {
                request.RestartPools.Add(pool);
            }
        }

        request.Recreate = Recreate;
        request.ResetIis = ResetIis;
    }

    private static IEnumerable<string> CommandsFor(RepairRequest request)
    {
        yield return "Get-MapiVirtualDirectory";
        if (request.EnableOrganization)
        {
            yield return "Get-OrganizationConfig";
            yield return "Set-OrganizationConfig";
        }

        if (request.InternalUrl is not null || request.ExternalUrl is not null || request.AuthenticationMethods is not null)
        {
            yield return "Set-MapiVirtualDirectory";
        }

        if (request.Recreate)
        {
            yield return "Remove-MapiVirtualDirectory";
            yield return "New-MapiVirtualDirectory";
        }
    }

    private void RequireCommands(IEnumerable<string> commands)
    {
        IReadOnlyList<string> missing = Exchange.MissingCommands(commands);
        if (missing.Count > 0)
        {
            ThrowTerminatingError(MapiHttpTools.Exchange.RunspaceCommandRunner.NotFoundError(missing, " Nothing was changed."));
        }
    }

    private string BackupFolder()
    {
        if (BackupPath is not null)
        {
            return GetUnresolvedProviderPathFromPSPath(BackupPath);
        }

        string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        if (string.IsNullOrEmpty(local))
        {
            local = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        }

        return Path.Combine(local, "MapiHttpTools", "Backup");
    }

    private void CheckUrl(Uri? url, string name)
    {
        if (url is null)
        {
            return;
        }

        bool ok = url.IsAbsoluteUri && url.Scheme == Uri.UriSchemeHttps && url.AbsolutePath.TrimEnd('/').Equals("/mapi", StringComparison.OrdinalIgnoreCase);
        if (!ok)
        {
            ThrowTerminatingError(ErrorRecords.Create("InvalidUrl", ErrorCategory.InvalidArgument, url,
                $"-{name} '{url.OriginalString}' is not a MAPI URL: give it as https://<namespace>/mapi (absolute, https, path /mapi). Nothing was changed."));
        }
    }

    private ServerGroup Group(string server)
    {
        string key = RepairScope.ShortName(server);
        ServerGroup? group = _groups.FirstOrDefault(g => g.Key.Equals(key, StringComparison.OrdinalIgnoreCase));
        if (group is null)
        {
            group = new ServerGroup(key, server);
            _groups.Add(group);
        }

        return group;
    }

    private void EmitNotes(string? server, string? identity, IEnumerable<SkipNote> notes)
    {
        foreach (SkipNote note in notes)
        {
            EmitNote(server, identity, note);
        }
    }

    private void EmitNote(string? server, string? identity, SkipNote note)
    {
        if (_emittedNotes.Add($"{(server is null ? null : RepairScope.ShortName(server))}|{note.Action}|{note.Cause}|{note.Target}|{note.Finding}"))
        {
            WriteObject(new MapiRepairResult(note.Action, MapiRepairOutcome.Skipped, CheckStatus.Skipped, note.Cause, note.Target, server, identity, null, null, null, note.Recommendation, null,
                note.Message, note.Recommendation, null));
        }
    }

    private static MapiRepairResult Result(PlannedChange change, MapiRepairOutcome outcome, string message, string server, string? identity, string? backupPath, string? recommendation)
    {
        var evidence = new Dictionary<string, object?> { ["Step"] = change.Step.ToString(), ["Command"] = change.Command };
        return new MapiRepairResult(change.Action, outcome, MapiRepairResult.StatusOf(outcome), change.Cause, change.Target, server, identity, change.Setting,
            change.Before, change.After, change.Command, backupPath, message, recommendation ?? (outcome == MapiRepairOutcome.Skipped && change.Decided is null ? change.Command : null), evidence);
    }

    private static string Names(IEnumerable<ChangeOutcome> outcomes)
    {
        string[] names = outcomes.Select(o => $"{o.Change.Setting} of '{o.Change.Target}'").ToArray();
        return names.Length == 0 ? "nothing" : string.Join(", ", names);
    }

    private static string? ServerOfIdentity(string? identity)
    {
        int slash = identity?.IndexOf('\\') ?? -1;
        return slash > 0 ? identity!.Substring(0, slash) : null;
    }

    private static string? Text(object? value) => RunspaceExchangeClient.Text(value);

    /// <summary>What the piped input asks for one server.</summary>
    private sealed class ServerGroup
    {
        public ServerGroup(string key, string server)
        {
            Key = key;
            Server = server;
        }

        public string Key { get; }

        public string Server { get; }

        public RepairRequest Request { get; } = new();

        public HashSet<string> Identities { get; } = new(StringComparer.OrdinalIgnoreCase);

        public List<SkipNote> Notes { get; } = new();
    }
}
