using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Diagnostics;
using MapiHttpTools.Exchange;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Remoting;

/// <summary>How Invoke-MapiHttpDiagnostic reaches its servers' IIS (issue 17): its -Session, -RemotingCredential, -ThrottleLimit and bound.</summary>
internal sealed class RemoteIisOptions
{
    /// <summary>Sessions the admin opened; a server is matched to one by name or FQDN. Null: WinRM to each server's FQDN.</summary>
    public IReadOnlyList<PSSession>? Sessions { get; init; }

    /// <summary>The account for WinRM (-ComputerName); never forwarded to the remote cmdlet or written anywhere.</summary>
    public PSCredential? Credential { get; init; }

    public int ThrottleLimit { get; init; } = 8;

    public TimeSpan PerServer { get; init; } = TimeSpan.FromSeconds(120);

    public Version LocalVersion { get; init; } = new(0, 0);
}

/// <summary>
/// Runs the module's own Get-MapiAppPoolHealth on each server through <see cref="RemoteFanOut"/> (WinRM to the server's
/// FQDN, or the admin's PSSession for it), ThrottleLimit at a time, and turns what comes back into typed results per
/// server. The fan-out needs the pipeline thread (nested Invoke-Command, jobs), so it runs there through the async
/// pipeline; results are collected and handed back to the diagnostic's worker.
/// </summary>
internal sealed class RemoteIisReader : IRemoteIisReader
{
    private const string CommandName = "Get-MapiAppPoolHealth";

    private readonly RemoteIisOptions _options;
    private AsyncPipeline? _pipeline;

    public RemoteIisReader(RemoteIisOptions options) => _options = options;

    /// <summary>Called inside the cmdlet's RunAsync, once the pipeline exists.</summary>
    public void Attach(AsyncPipeline pipeline) => _pipeline = pipeline;

    public async Task<IReadOnlyList<RemoteIisOutcome>> ReadAsync(IReadOnlyList<ExchangeServerFacts> servers, TimeSpan eventWindow, CancellationToken cancellation)
    {
        AsyncPipeline pipeline = _pipeline ?? throw new InvalidOperationException("RemoteIisReader.Attach was not called.");
        var forwarded = new Hashtable(StringComparer.OrdinalIgnoreCase) { ["Hours"] = Math.Max(1, (int)Math.Round(eventWindow.TotalHours)) };
        var plan = new List<(ExchangeServerFacts Server, RemoteTarget? Target, string How)>();
        foreach (ExchangeServerFacts server in servers)
        {
            (RemoteTarget? target, string how) = TargetFor(server);
            plan.Add((server, target?.With((Hashtable)forwarded.Clone()), how));
        }

        var collector = new Collector();
        RemoteTarget[] targets = plan.Where(p => p.Target is not null).Select(p => p.Target!).ToArray();
        if (targets.Length > 0)
        {
            await pipeline.InvokeOnPipeline(cmdlet =>
            {
                collector.Cmdlet = cmdlet;
                new RemoteFanOut(collector, CommandName, _options.LocalVersion, _options.ThrottleLimit, _options.PerServer).Run(targets, cancellation);
                return true;
            }).ConfigureAwait(false);
        }

        return plan.Select(p => Outcome(p.Server, p.Target, p.How, collector)).ToArray();
    }

    /// <summary>The remoting target of one server, or null with the reason when there is none.</summary>
    internal (RemoteTarget? Target, string How) TargetFor(ExchangeServerFacts server)
    {
        if (_options.Sessions is { } sessions)
        {
            PSSession? session = sessions.FirstOrDefault(s => Matches(s, server));
            return session is null
                ? (null, $"no PSSession in -Session is for {DisplayText.Safe(server.Name)} (matched by its name or FQDN: the session's Name or ComputerName)")
                : (RemoteTarget.ForSession(session, server.Name), $"PSSession {session.Name} ({session.ComputerName})");
        }

        string computer = server.Fqdn ?? server.Name;
        return (RemoteTarget.ForComputer(computer, _options.Credential, server.Name), $"WinRM ({computer})");
    }

    /// <summary>A session is a server's when its Name or ComputerName is the server's name or FQDN, or its ComputerName's first label is the name.</summary>
    internal static bool Matches(PSSession session, ExchangeServerFacts server) =>
        Is(session.Name, server) || Is(session.ComputerName, server) ||
        (session.ComputerName is { } computer && computer.Split('.')[0].Equals(server.Name, StringComparison.OrdinalIgnoreCase));

    private static bool Is(string? name, ExchangeServerFacts server) =>
        name is not null && (name.Equals(server.Name, StringComparison.OrdinalIgnoreCase) || (server.Fqdn is { } fqdn && name.Equals(fqdn, StringComparison.OrdinalIgnoreCase)));

    private static RemoteIisOutcome Outcome(ExchangeServerFacts server, RemoteTarget? target, string how, Collector collector)
    {
        if (target is null)
        {
            return new RemoteIisOutcome(server, Array.Empty<MapiAppPoolHealthResult>(), how, RemoteErrorIds.RemoteSessionMissing, how);
        }

        MapiAppPoolHealthResult[] results = collector.ResultsOf(target).Where(RemoteAppPoolHealth.IsAppPoolHealth).Select(r => RemoteAppPoolHealth.ToResult(r, server.Name)).ToArray();
        if (results.Length > 0)
        {
            return new RemoteIisOutcome(server, results, reachedThrough: how);
        }

        ErrorRecord? why = collector.FailureOf(target) ?? collector.RemoteErrorsOf(target).FirstOrDefault();
        return new RemoteIisOutcome(server, results, why?.Exception?.Message ?? "Get-MapiAppPoolHealth returned nothing there.", why?.FullyQualifiedErrorId.Split(',')[0], how);
    }

    /// <summary>Keeps each server's results and failures for the stage; warnings (version skew) and verbose go to the cmdlet.</summary>
    private sealed class Collector : IRemoteOutput
    {
        private readonly Dictionary<RemoteTarget, List<PSObject>> _results = new();
        private readonly Dictionary<RemoteTarget, ErrorRecord> _failures = new();
        private readonly Dictionary<RemoteTarget, List<ErrorRecord>> _remoteErrors = new();

        public Cmdlet? Cmdlet { get; set; }

        public void Result(RemoteTarget target, PSObject item) => Add(_results, target, item);

        public void RemoteError(RemoteTarget target, ErrorRecord error)
        {
            // The server was read, with a complaint (a bad value in its configuration): kept for the stage, and said now.
            Add(_remoteErrors, target, error);
            Cmdlet?.WriteWarning($"{DisplayText.Safe(target.Name)}: {DisplayText.Safe(error.Exception?.Message ?? error.ToString())}");
        }

        public void Failed(RemoteTarget target, ErrorRecord error)
        {
            if (!_failures.ContainsKey(target))
            {
                _failures[target] = error;
            }
        }

        public void Warning(RemoteTarget target, string message) => Cmdlet?.WriteWarning(message);

        public void Verbose(string message) => Cmdlet?.WriteVerbose(message);

        public IReadOnlyList<PSObject> ResultsOf(RemoteTarget target) => _results.TryGetValue(target, out List<PSObject>? list) ? list : new List<PSObject>();

        public ErrorRecord? FailureOf(RemoteTarget target) => _failures.TryGetValue(target, out ErrorRecord? error) ? error : null;

        public IReadOnlyList<ErrorRecord> RemoteErrorsOf(RemoteTarget target) => _remoteErrors.TryGetValue(target, out List<ErrorRecord>? list) ? list : new List<ErrorRecord>();

        private static void Add<T>(Dictionary<RemoteTarget, List<T>> map, RemoteTarget target, T item)
        {
            if (!map.TryGetValue(target, out List<T>? list))
            {
                map[target] = list = new List<T>();
            }

            list.Add(item);
        }
    }
}
