using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Repair;

/// <summary>
/// The server side of Repair-MapiVirtualDirectory (issue 12: moved out of the cmdlet, reporting through
/// <see cref="IVirtualDirectoryRepairSink"/> as <see cref="ClientState.ClientStateRepairer"/> does): collects what the
/// piped input and the parameters ask per server, reads the facts, plans, confirms, backs up, applies, reports and
/// verifies. A thrown <see cref="RepairException"/> is a setup error that stops the whole run; per-server problems go to
/// the sink's error stream.
/// </summary>
internal sealed class VirtualDirectoryRepairer
{
    /// <summary>The key of the group of organisation-wide findings that name no server (issue 11).</summary>
    private const string OrganizationKey = "";

    private readonly IExchangeRepairClient _exchange;
    private readonly IRepairNamespaceReader _namespaces;
    private readonly ModuleServices _services;
    private readonly VirtualDirectoryRepairOptions _options;
    private readonly IVirtualDirectoryRepairSink _sink;
    private readonly List<ServerGroup> _groups = new();
    private readonly HashSet<string> _emittedNotes = new(StringComparer.OrdinalIgnoreCase);
    private int _passingResults;

    public VirtualDirectoryRepairer(IExchangeRepairClient exchange, IRepairNamespaceReader namespaces, ModuleServices services, VirtualDirectoryRepairOptions options, IVirtualDirectoryRepairSink sink)
    {
        _exchange = exchange;
        _namespaces = namespaces;
        _services = services;
        _options = options;
        _sink = sink;
    }

    /// <summary>Checks the command line before anything is read.</summary>
    public void Validate()
    {
        if (_options.Recreate && !_options.Force)
        {
            throw new RepairException("RecreateRequiresForce",
                "-Recreate removes the MAPI virtual directory and creates it again (the last resort of the guide): Outlook loses MAPI/HTTP on the server until it is back. " +
                "Add -Force to confirm that you mean it; nothing was changed.")
            { Category = ErrorCategory.InvalidOperation, Target = "Recreate" };
        }

        CheckUrl(_options.InternalUrl, "InternalUrl");
        CheckUrl(_options.ExternalUrl, "ExternalUrl");
    }

    /// <summary>One piped object (or none) with the -Server/-Identity bound for it.</summary>
    public void Add(PSObject? input, object? serverValue, object? identityValue)
    {
        MappedInput mapped = RepairInputMapper.Map(input, _options.Recreate);
        object? baseObject = input?.BaseObject;
        string? identity = mapped.IsOrganization ? null : Text(identityValue);
        string? server = Text(serverValue) ?? (baseObject is string name && !mapped.IsResult ? name : null) ?? ServerOfIdentity(identity);

        if (mapped.IsResult && !mapped.AsksForRepair && mapped.Notes.Count == 0 && !_options.Recreate)
        {
            _passingResults++;
            return;
        }

        if (server is null && mapped.IsOrganization)
        {
            // Set-OrganizationConfig needs no server: an organisation finding is repairable on its own (issue 11).
            ServerGroup organization = Group(OrganizationKey, null);
            mapped.ApplyTo(organization.Request);
            organization.Notes.AddRange(mapped.Notes);
            return;
        }

        if (server is null)
        {
            if (input is null)
            {
                throw new RepairException("ServerNotSpecified",
                    "Name the Exchange server to repair with -Server (or the virtual directory with -Identity), or pipe results that carry Server.")
                { Category = ErrorCategory.InvalidArgument };
            }

            foreach (SkipNote note in mapped.Notes)
            {
                EmitNote(null, null, note);
            }

            if (mapped.AsksForRepair || !mapped.IsResult)
            {
                _sink.Error(new RepairException("ServerNotSpecified", "The piped object names no server (no Server or Identity property), so it cannot be repaired. Pass -Server.")
                { Category = ErrorCategory.InvalidArgument, Target = input });
            }

            return;
        }

        ServerGroup group = Group(RepairScope.ShortName(server), server);
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

    /// <summary>Repairs every server the input named, in the order first named.</summary>
    public void Finish(CancellationToken cancellation)
    {
        foreach (ServerGroup group in _groups.Where(g => g.Server is not null))
        {
            _options.ApplyTo(group.Request);
        }

        if (_groups.Count == 0)
        {
            if (_passingResults > 0)
            {
                _sink.Result(MapiRepairResult.Note(MapiRepairAction.None, MapiRepairOutcome.NoChange, MapiHttpCause.None, null, null, null,
                    $"Nothing to repair: the {_passingResults} piped result(s) passed.", null));
            }

            return;
        }

        if (_groups.All(g => g.Request.IsEmpty && g.Notes.Count == 0) && _passingResults == 0)
        {
            throw new RepairException("NoRepairRequested",
                "Nothing was asked to repair. Say what: -InternalUrl, -ExternalUrl, -AuthenticationMethods, -EnableOrganization, -ResetIisAuthentication, -StartAppPools, -RestartAppPools or -Recreate -Force; " +
                "or pipe findings, for example Test-MapiHttpEndpoint or Get-MapiAppPoolHealth results.")
            { Category = ErrorCategory.InvalidArgument, Target = string.Join(", ", _groups.Select(g => g.Server ?? "Organization")) };
        }

        RequireCommands(_groups.Where(g => !g.Request.IsEmpty).SelectMany(g => CommandsFor(g.Request, g.Server is not null)));
        foreach (ServerGroup group in _groups.OrderBy(g => g.Server is null ? 0 : 1))
        {
            cancellation.ThrowIfCancellationRequested();
            if (group.Server is null)
            {
                RepairOrganization(group, cancellation);
            }
            else
            {
                RepairServer(group, cancellation);
            }
        }
    }

    /// <summary>Puts <paramref name="server"/> back as the backup at <paramref name="path"/> describes it (issue 20: the admin names the server).</summary>
    public void Restore(string path, string? server, CancellationToken cancellation)
    {
        if (server is null)
        {
            throw new RepairException("RestoreServerRequired",
                "Name the server to restore with -Server: a restore changes only the server you name, and only from a backup of that server. Nothing was changed.")
            { Category = ErrorCategory.InvalidArgument, Target = path };
        }

        RepairBackup backup;
        try
        {
            backup = RepairBackup.Read(path);
        }
        catch (Exception ex) when (ex is (System.IO.IOException and not InputFileException) or UnauthorizedAccessException)
        {
            throw new RepairException("BackupInvalid", $"'{DisplayText.Safe(path)}' could not be read: {ex.Message}", ex) { Category = ErrorCategory.ReadError, Target = path };
        }

        RestoreGuard.CheckServer(backup, server, path);
        _sink.Verbose($"Restoring {DisplayText.Safe(backup.Server)} as it was at {backup.CreatedUtc:u} from {DisplayText.Safe(path)}.");
        var commands = new List<string>();
        if (!backup.IsOrganizationOnly)
        {
            commands.Add("Get-MapiVirtualDirectory");
        }

        if (backup.OrganizationMapiHttpEnabled is not null)
        {
            commands.AddRange(new[] { "Get-OrganizationConfig", "Set-OrganizationConfig" });
        }

        if (backup.VirtualDirectory is not null)
        {
            commands.AddRange(new[] { "Set-MapiVirtualDirectory", "New-MapiVirtualDirectory", "Remove-MapiVirtualDirectory" });
        }

        RequireCommands(commands);

        if (backup.IsOrganizationOnly)
        {
            // The backup of an organisation finding repaired without a server (issue 11): only the organisation flag.
            var organization = new RepairFacts(RepairBackup.OrganizationServer);
            try
            {
                organization.OrganizationMapiHttpEnabled = _exchange.GetOrganizationMapiHttpEnabled();
            }
            catch (RepairException ex)
            {
                _sink.Error(ex.As("ExchangeReadFailed", ErrorCategory.ReadError, "Organization"));
                return;
            }

            Run(organization, RepairPlanner.PlanRestore(backup, organization, resetIis: false), null, new List<SkipNote>(), resetIisAsked: false, cancellation, organizationOnly: true);
            return;
        }

        var iisNeeds = new RepairRequest { ResetIisAuthentication = backup.WindowsAuthentication is not null || backup.AnonymousAuthentication is not null, ResetIis = _options.ResetIis };
        foreach (string pool in backup.PoolStates.Keys)
        {
            iisNeeds.StartPools.Add(pool);
        }

        RepairFacts? facts = ReadFacts(server, null, backup.OrganizationMapiHttpEnabled is not null, iisNeeds, backup, out IIisRepairTarget? iis);
        if (facts is null)
        {
            return;
        }

        using (iis)
        {
            if (backup.VirtualDirectory is { Exists: true } saved && !_options.Force)
            {
                IReadOnlyCollection<string> namespaces = NamespaceHosts(facts);
                RestoreGuard.CheckUrls(saved, namespaces, path);
            }

            Run(facts, RepairPlanner.PlanRestore(backup, facts, _options.ResetIis), iis, new List<SkipNote>(), _options.ResetIis, cancellation);
        }
    }

    private IReadOnlyCollection<string> NamespaceHosts(RepairFacts facts)
    {
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        RestoreGuard.AddHost(hosts, facts.VirtualDirectory?.InternalUrl);
        RestoreGuard.AddHost(hosts, facts.VirtualDirectory?.ExternalUrl);
        foreach (string host in _namespaces.ReadHosts())
        {
            hosts.Add(host);
        }

        return hosts;
    }

    private void RepairOrganization(ServerGroup group, CancellationToken cancellation)
    {
        EmitNotes(null, null, group.Notes);
        if (!group.Request.EnableOrganization)
        {
            return;
        }

        var facts = new RepairFacts(RepairBackup.OrganizationServer);
        try
        {
            facts.OrganizationMapiHttpEnabled = _exchange.GetOrganizationMapiHttpEnabled();
        }
        catch (RepairException ex)
        {
            _sink.Error(ex.As("ExchangeReadFailed", ErrorCategory.ReadError, "Organization"));
            return;
        }

        var request = new RepairRequest { EnableOrganization = true };
        Run(facts, RepairPlanner.Plan(request, facts), null, new List<SkipNote>(), resetIisAsked: false, cancellation, organizationOnly: true);
    }

    private void RepairServer(ServerGroup group, CancellationToken cancellation)
    {
        string server = group.Server!;
        if (group.Request.IsEmpty)
        {
            EmitNotes(server, null, group.Notes);
            if (group.Notes.Count == 0)
            {
                _sink.Result(MapiRepairResult.Note(MapiRepairAction.None, MapiRepairOutcome.NoChange, MapiHttpCause.None, server, server, null, $"Nothing to repair on {server}.", null));
            }

            return;
        }

        if (group.Identities.Count > 1)
        {
            _sink.Error(new RepairException("AmbiguousVirtualDirectory",
                $"The input names {group.Identities.Count} MAPI virtual directories of {server} ({string.Join("; ", group.Identities)}). Repair one at a time with -Identity.")
            { Category = ErrorCategory.InvalidArgument, Target = server });
            return;
        }

        string? identity = group.Identities.FirstOrDefault();
        RepairFacts? facts = ReadFacts(server, _options.Recreate ? null : identity, group.Request.EnableOrganization, group.Request, null, out IIisRepairTarget? iis);
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
                _sink.Error(ex.As(ex.ErrorId, ErrorCategory.InvalidOperation, server));
                return;
            }

            Run(facts, plan, iis, group.Notes, group.Request.ResetIis, cancellation);
        }
    }

    /// <summary>Confirms, backs up, applies, reports and verifies one server's plan.</summary>
    private void Run(RepairFacts facts, IReadOnlyList<PlannedChange> plan, IIisRepairTarget? iis, List<SkipNote> notes, bool resetIisAsked, CancellationToken cancellation, bool organizationOnly = false)
    {
        string server = facts.Server;
        string? identity = facts.VirtualDirectory?.Identity;
        var approvals = new Dictionary<PlannedChange, RepairApproval>();
        bool whatIf = _options.WhatIf;
        foreach (IGrouping<string, PlannedChange> confirm in plan.Where(c => c.IsPending).GroupBy(c => c.ConfirmGroup ?? Guid.NewGuid().ToString()))
        {
            PlannedChange[] changes = confirm.ToArray();
            string description = string.Join("; then ", changes.Select(c => c.Description));
            RepairApproval approval = _sink.Confirm(description, organizationOnly ? "Repair MAPI over HTTP for the organisation" : $"Repair MAPI over HTTP on {server}");
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
                backupPath = backup.Write(_options.BackupFolder);
                _sink.Verbose($"Backed up what the repair of {server} touches to {backupPath}.");
            }
            catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                foreach (PlannedChange change in plan)
                {
                    _sink.Result(MapiRepairResult.ForChange(change, change.Decided ?? MapiRepairOutcome.Skipped, change.Reason ?? "Not changed: the backup could not be written, so nothing was changed.", server, identity, null, null));
                }

                _sink.Error(new RepairException("BackupWriteFailed",
                    $"The backup of {server} could not be written to '{_options.BackupFolder}': {ex.Message} Nothing was changed on {server}. Pass a writable folder with -BackupPath.", ex)
                { Category = ErrorCategory.WriteError, Target = _options.BackupFolder });
                return;
            }
        }

        IReadOnlyList<ChangeOutcome> outcomes = new RepairExecutor(_exchange, iis).Execute(plan, approvals, cancellation);
        ChangeOutcome? failure = outcomes.FirstOrDefault(o => o.Outcome == MapiRepairOutcome.Failed);
        foreach (ChangeOutcome outcome in outcomes)
        {
            string message = outcome.Message;
            string? recommendation = null;
            if (outcome == failure)
            {
                string changed = Names(outcomes.Where(o => o.Outcome == MapiRepairOutcome.Changed));
                string notAttempted = Names(outcomes.Where(o => o.Outcome == MapiRepairOutcome.NotAttempted));
                recommendation = RestoreCommand(server, backupPath);
                message += $" The repair of {server} stopped here. Changed before it: {changed}. Not attempted: {notAttempted}. " +
                    $"Everything it was about to touch is backed up in {backupPath}; to put back what changed: {recommendation}";
            }

            _sink.Result(MapiRepairResult.ForChange(outcome.Change, outcome.Outcome, message, organizationOnly ? null : server, identity, backupPath, recommendation));
        }

        foreach (ChangeOutcome weaker in outcomes.Where(o => o.Change.Action == MapiRepairAction.Restore && o.Outcome is MapiRepairOutcome.Changed or MapiRepairOutcome.WhatIf
            && ((o.Change.Step == RepairStep.AnonymousAuthentication && Equals(o.Change.After, true)) || (o.Change.Step == RepairStep.WindowsAuthentication && Equals(o.Change.After, false)))))
        {
            _sink.Warning($"The restore {(weaker.Outcome == MapiRepairOutcome.WhatIf ? "would put" : "put")} {weaker.Change.Setting} of {weaker.Change.Target} on {server} back to {weaker.Change.After}, as the backup recorded it: " +
                "that is the broken state the repair had fixed (anonymous requests to /mapi accepted, or Windows logons refused).");
        }

        bool resetNeeded = !organizationOnly && outcomes.Any(o => o.Change.NeedsIisReset && o.Outcome is MapiRepairOutcome.Changed or MapiRepairOutcome.WhatIf);
        if (resetNeeded && !resetIisAsked)
        {
            string command = LiveIisRepairTarget.IsThisComputer(server) ? "iisreset /noforce" : $"iisreset {server} /noforce";
            string text = whatIf
                ? $"IIS on {server} would need a reset for these changes to take effect: run {command}, or add -ResetIis."
                : $"IIS on {server} was not reset, and the Exchange changes take effect only after a reset: run {command} when a short interruption is acceptable, or run again with -ResetIis.";
            _sink.Warning(text);
            string note = whatIf ? $"A reset would be needed: {command}, or -ResetIis." : $"Not reset; the Exchange changes need it: {command}, or -ResetIis.";
            _sink.Result(MapiRepairResult.ResetNeeded(server, identity, command, backupPath, note));
        }

        EmitNotes(organizationOnly ? null : server, identity, notes);

        if (failure is not null)
        {
            _sink.Error(new RepairException("RepairFailed", failure.Message + $" Backup: {backupPath}; put back what changed with {RestoreCommand(server, backupPath)}", failure.Error)
            { Category = ErrorCategory.WriteError, Target = server });
            return;
        }

        if (!whatIf && !_options.SkipVerify && !organizationOnly)
        {
            _sink.Result(Verify(facts, outcomes, backupPath));
        }
    }

    private static string RestoreCommand(string server, string? backupPath) =>
        $"Repair-MapiVirtualDirectory -Server {RunspaceExchangeClient.Argument(server)} -RestoreFrom {RunspaceExchangeClient.Argument(backupPath)}";

    /// <summary>Reads what the plan needs: the virtual directory, the organisation flag, IIS authentication and pool states.</summary>
    private RepairFacts? ReadFacts(string server, string? identity, bool organization, RepairRequest iisNeeds, RepairBackup? backup, out IIisRepairTarget? iis)
    {
        iis = null;
        VirtualDirectoryFacts? vdir;
        try
        {
            _sink.Verbose(identity is null ? $"Get-MapiVirtualDirectory -Server {server} -ADPropertiesOnly" : $"Get-MapiVirtualDirectory -Identity '{identity}' -ADPropertiesOnly");
            IReadOnlyList<VirtualDirectoryFacts> found = _exchange.GetVirtualDirectories(identity is null ? server : null, identity);
            VirtualDirectoryFacts[] frontEnd = found.Where(v => v.IsDefaultWebSite).ToArray();
            VirtualDirectoryFacts[] candidates = identity is not null || frontEnd.Length == 0 ? found.ToArray() : frontEnd;
            if (candidates.Length > 1)
            {
                _sink.Error(new RepairException("AmbiguousVirtualDirectory",
                    $"{server} has {candidates.Length} MAPI virtual directories ({string.Join("; ", candidates.Select(c => DisplayText.Safe(c.Identity)))}). Name one with -Identity.")
                { Category = ErrorCategory.InvalidArgument, Target = server });
                return null;
            }

            vdir = candidates.FirstOrDefault();
        }
        catch (RepairException ex)
        {
            _sink.Error(ex.As("ExchangeReadFailed", ErrorCategory.ReadError, identity ?? server));
            return null;
        }

        var facts = new RepairFacts(vdir?.Server is { Length: > 0 } named ? named : server) { VirtualDirectory = vdir };
        if (organization)
        {
            try
            {
                facts.OrganizationMapiHttpEnabled = _exchange.GetOrganizationMapiHttpEnabled();
            }
            catch (RepairException ex)
            {
                _sink.Error(ex.As("ExchangeReadFailed", ErrorCategory.ReadError, "Organization"));
                return null;
            }
        }

        if (iisNeeds.NeedsIis)
        {
            iis = IisRepairTargets.Open(facts.Server, _services, out string? reason);
            facts.IisUnavailableReason = reason;
            if (iis is not null)
            {
                try
                {
                    _sink.Verbose($"Reading {iis.Description}.");
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

    /// <summary>
    /// Re-runs the endpoint probe against the repaired server: its InternalUrl, connecting to the server by its FQDN
    /// (a short name need not resolve from here; issue 11). Without a known FQDN it says so instead of probing a name.
    /// </summary>
    private MapiRepairResult Verify(RepairFacts facts, IReadOnlyList<ChangeOutcome> outcomes, string? backupPath)
    {
        (bool exists, string? url, IReadOnlyList<string> methods) = RepairVerification.Expected(facts, outcomes);
        string server = facts.Server;
        string? identity = facts.VirtualDirectory?.Identity;
        if (!exists || url is null || !Uri.TryCreate(url, UriKind.Absolute, out Uri? uri))
        {
            string why = !exists ? "the server has no MAPI virtual directory" : "the virtual directory has no usable InternalUrl";
            return MapiRepairResult.Verified(MapiRepairOutcome.Skipped, CheckStatus.Skipped, MapiHttpCause.None, null, server, identity, null, backupPath, $"Not verified: {why}.", null, null, null);
        }

        string? address = RepairVerification.Address(facts);
        if (address is null)
        {
            string command = $"Test-MapiHttpEndpoint -Uri {uri} -TargetAddress <FQDN of {server}>";
            return MapiRepairResult.Verified(MapiRepairOutcome.Skipped, CheckStatus.Skipped, MapiHttpCause.None, uri.ToString(), server, identity, command, backupPath,
                $"Not verified: the FQDN of {server} is not known (its virtual directory has no MetabasePath), and the short name need not resolve from here. Run {command}.", command, null, null);
        }

        var target = new Probing.ProbeTarget(uri, server, identity, methods.Count > 0 ? Probing.AuthenticationSchemes.Normalize(methods) : Probing.AuthenticationSchemes.DefaultExpected, "IISAuthenticationMethods of the repaired virtual directory");
        var prober = new Probing.EndpointProber(new Probing.ProbeOptions { TargetAddresses = new[] { address }, Resolver = _services.Resolver });
        var results = new List<MapiHttpEndpointResult>();
        string probeCommand = $"Test-MapiHttpEndpoint -Uri {uri} -TargetAddress {address}";
        _sink.Verbose(probeCommand);
        _sink.Run(async token => await prober.ProbeAsync(new[] { target }, r => { lock (results) { results.Add(r); } }, null, token).ConfigureAwait(false));

        MapiHttpEndpointResult[] ordered;
        lock (results)
        {
            ordered = results.ToArray();
        }

        return RepairVerification.Judge(uri, address, server, identity, probeCommand, backupPath, ordered);
    }

    private static IEnumerable<string> CommandsFor(RepairRequest request, bool hasServer)
    {
        if (hasServer)
        {
            yield return "Get-MapiVirtualDirectory";
        }

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
        IReadOnlyList<string> missing = _exchange.MissingCommands(commands);
        if (missing.Count > 0)
        {
            throw new RepairException(Exchange.RunspaceCommandRunner.NotFoundErrorId, Exchange.RunspaceCommandRunner.NotFoundMessage(missing, " Nothing was changed."))
            { Category = ErrorCategory.ObjectNotFound, Target = string.Join(", ", missing) };
        }
    }

    private static void CheckUrl(string? url, string name)
    {
        if (url is null)
        {
            return;
        }

        bool ok = Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && uri.Scheme == Uri.UriSchemeHttps && uri.AbsolutePath.TrimEnd('/').Equals("/mapi", StringComparison.OrdinalIgnoreCase);
        if (!ok)
        {
            throw new RepairException("InvalidUrl",
                $"-{name} '{DisplayText.Safe(url)}' is not a MAPI URL: give it as https://<namespace>/mapi (absolute, https, path /mapi). Nothing was changed.")
            { Category = ErrorCategory.InvalidArgument, Target = url };
        }
    }

    private ServerGroup Group(string key, string? server)
    {
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
            _sink.Result(MapiRepairResult.Note(note.Action, MapiRepairOutcome.Skipped, note.Cause, note.Target, server, identity, note.Message, note.Recommendation));
        }
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

    /// <summary>What the piped input asks for one server (or, with no server, for the organisation).</summary>
    private sealed class ServerGroup
    {
        public ServerGroup(string key, string? server)
        {
            Key = key;
            Server = server;
        }

        public string Key { get; }

        /// <summary>Null for the organisation-wide group.</summary>
        public string? Server { get; }

        public RepairRequest Request { get; } = new();

        public HashSet<string> Identities { get; } = new(StringComparer.OrdinalIgnoreCase);

        public List<SkipNote> Notes { get; } = new();
    }
}
