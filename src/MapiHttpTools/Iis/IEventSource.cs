using System;
using System.Collections.Generic;
using System.Threading;

namespace MapiHttpTools.Iis;

/// <summary>One Windows event as the checks see it (from the live log or an Export-Clixml of Get-WinEvent).</summary>
internal sealed record EventFacts(
    int Id,
    string? ProviderName,
    string? LogName,
    DateTime TimeCreatedUtc,
    string? Message,
    string? MachineName,
    IReadOnlyList<string> Properties);

/// <summary>
/// What an event source returned for a window: the events, or why there are none to look at.
/// <see cref="Failed"/> distinguishes "could not read" (the check is an Error) from "not available" (Skipped).
/// </summary>
internal sealed record EventReadResult(
    IReadOnlyList<EventFacts>? Events,
    DateTime WindowStartUtc,
    DateTime WindowEndUtc,
    string? UnavailableReason,
    bool Failed = false);

/// <summary>The System and Application events that tell of MAPI pool crashes, disables and recycles.</summary>
internal interface IEventSource
{
    /// <summary>Where the events come from: "System and Application log on EX01" or a file path.</summary>
    string Description { get; }

    /// <summary>The machine the events were logged on, where known.</summary>
    string? MachineName { get; }

    /// <summary>The pool events of the last <paramref name="window"/> (ending now live, at the export's time from a file).</summary>
    EventReadResult Read(TimeSpan window, CancellationToken cancellation);
}

/// <summary>The event ids the check reads and what each means for a pool.</summary>
internal static class MapiPoolEvents
{
    public const string WasProvider = "Microsoft-Windows-WAS";

    /// <summary>5002: WAS disabled the pool after a series of worker process failures (rapid-fail protection).</summary>
    public static readonly int[] Disables = { 5002 };

    /// <summary>5009 terminated unexpectedly, 5010 no ping answer, 5011 fatal communication error, 5012 start-up time limit, 5013 shut-down time limit.</summary>
    public static readonly int[] Crashes = { 5009, 5010, 5011, 5012, 5013 };

    /// <summary>Worker process recycles requested by a limit: 5074 time, 5075 requests, 5076 schedule, 5077 virtual memory, 5117 private memory.</summary>
    public static readonly int[] Recycles = { 5074, 5075, 5076, 5077, 5117 };

    /// <summary>5186: the worker process was shut down after its idle timeout.</summary>
    public static readonly int[] IdleShutdowns = { 5186 };

    /// <summary>Application log 1053: MAPI over HTTP failed (Exchange).</summary>
    public static readonly int[] ApplicationFailures = { 1053 };

    public static IEnumerable<int> SystemIds()
    {
        foreach (int[] group in new[] { Disables, Crashes, Recycles, IdleShutdowns })
        {
            foreach (int id in group)
            {
                yield return id;
            }
        }
    }
}
