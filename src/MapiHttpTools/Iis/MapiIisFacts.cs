using System;
using System.Collections.Generic;

namespace MapiHttpTools.Iis;

/// <summary>
/// What was read about one server's MAPI pools and applications, before any judgement (issue 12: fact gathering
/// apart from the pure judgement functions in <see cref="MapiPoolJudgement"/> and <see cref="MapiApplicationJudgement"/>).
/// </summary>
internal sealed record MapiIisFacts(IReadOnlyList<MapiPoolFacts> Pools, IReadOnlyList<MapiApplicationFacts> Applications, int UnattributedEventCount)
{
    /// <summary>Values of the configuration that could not be read, one per pool or site, each with its line (issue 20).</summary>
    public IReadOnlyList<IisConfigurationException> Problems { get; init; } = Array.Empty<IisConfigurationException>();
}

/// <summary>
/// One MAPI pool: its configuration (null when it does not exist, or when <see cref="ReadProblem"/> says a value of it
/// could not be read), runtime state and events.
/// </summary>
internal sealed record MapiPoolFacts(
    MapiPoolDefinition Definition,
    string Source,
    AppPoolConfig? Config,
    RuntimeFacts? Runtime,
    MapiPoolEventFacts Events,
    string? ReadProblem = null);

/// <summary>
/// The events of one pool in the window. <see cref="Read"/> is null when there was no event source
/// (<see cref="UnavailableReason"/> says why); its Events are null when the source could not be read.
/// </summary>
internal sealed record MapiPoolEventFacts(
    EventReadResult? Read,
    string? SourceDescription,
    string? UnavailableReason,
    TimeSpan Window,
    IReadOnlyList<EventFacts> PoolEvents);

/// <summary>
/// One MAPI application: its site (null when the site does not exist), the application (null when missing), the
/// site's runtime state, the effective security of its location and the Exchange install folder seen on the server.
/// </summary>
internal sealed record MapiApplicationFacts(
    MapiApplicationDefinition Definition,
    string Source,
    SiteConfig? Site,
    ApplicationConfig? Application,
    RuntimeFacts? SiteRuntime,
    LocationSecurity? Security,
    string? InstallRoot,
    string? ReadProblem = null);

/// <summary>What the judgement needs besides the facts: the server name for results and commands, and the MAPI URL.</summary>
internal sealed record MapiIisJudgementContext(string? Server, Uri? MapiUrl)
{
    /// <summary>The server as a command argument: its name, or the local computer.</summary>
    public string ServerArgument => Server ?? "$env:COMPUTERNAME";
}
