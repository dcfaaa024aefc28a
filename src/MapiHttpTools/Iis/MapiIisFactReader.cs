using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace MapiHttpTools.Iis;

/// <summary>
/// Gathers the facts about the MAPI pools and applications of one server from an IIS source (live or an
/// applicationHost.config) and an event source, and attributes the events to the pools. Judges nothing (issue 12).
/// </summary>
internal static class MapiIisFactReader
{
    public static MapiIisFacts Read(IIisConfigurationSource iis, IEventSource? events, string? eventsUnavailableReason, TimeSpan window, CancellationToken cancellation)
    {
        EventReadResult? read = events?.Read(window, cancellation);
        Dictionary<string, List<EventFacts>> byPool = Attribute(read, cancellation, out int unattributed);
        string? installRoot = InstallRoot(iis, cancellation);

        // A value that cannot be read spoils only its own pool or site: one problem with its line, the rest is judged (issue 20).
        var problems = new List<IisConfigurationException>();
        string? Problem(IisConfigurationException ex)
        {
            problems.Add(ex);
            return ex.Message;
        }

        var pools = new List<MapiPoolFacts>();
        foreach (MapiPoolDefinition definition in MapiIisBaseline.Pools)
        {
            cancellation.ThrowIfCancellationRequested();
            AppPoolConfig? config = null;
            string? problem = null;
            try
            {
                config = iis.GetApplicationPool(definition.Name);
            }
            catch (IisConfigurationException ex)
            {
                problem = Problem(ex);
            }

            RuntimeFacts? runtime = config is null ? null : iis.GetApplicationPoolRuntime(definition.Name);
            IReadOnlyList<EventFacts> poolEvents = byPool.TryGetValue(definition.Name, out var list) ? list : Array.Empty<EventFacts>();
            pools.Add(new MapiPoolFacts(definition, iis.Description, config, runtime,
                new MapiPoolEventFacts(read, events?.Description, eventsUnavailableReason, window, poolEvents), problem));
        }

        var applications = new List<MapiApplicationFacts>();
        foreach (MapiApplicationDefinition definition in MapiIisBaseline.Applications)
        {
            cancellation.ThrowIfCancellationRequested();
            SiteConfig? site = null;
            string? problem = null;
            try
            {
                site = iis.GetSite(definition.SiteName);
            }
            catch (IisConfigurationException ex)
            {
                problem = problems.FirstOrDefault(p => p.Line == ex.Line && p.Position == ex.Position)?.Message ?? Problem(ex);
            }

            ApplicationConfig? application = site is null ? null : iis.GetApplication(definition.SiteName, definition.ApplicationPath);
            RuntimeFacts? siteRuntime = application is null ? null : iis.GetSiteRuntime(site!.Name);
            LocationSecurity? security = application is null ? null : iis.GetSecurity(definition.LocationPath);
            applications.Add(new MapiApplicationFacts(definition, iis.Description, site, application, siteRuntime, security, installRoot, problem));
        }

        return new MapiIisFacts(pools, applications, unattributed) { Problems = problems };
    }

    /// <summary>
    /// The events of the window by pool: WAS events name the pool in their text, Exchange's 1053 names it or is told by
    /// its provider. <paramref name="unattributed"/>: Exchange failure events that name none of the MAPI pools.
    /// </summary>
    internal static Dictionary<string, List<EventFacts>> Attribute(EventReadResult? read, CancellationToken cancellation, out int unattributed)
    {
        var byPool = new Dictionary<string, List<EventFacts>>(StringComparer.OrdinalIgnoreCase);
        unattributed = 0;
        if (read?.Events is null)
        {
            return byPool;
        }

        var systemIds = new HashSet<int>(MapiPoolEvents.SystemIds());
        foreach (EventFacts e in read.Events)
        {
            cancellation.ThrowIfCancellationRequested();
            if (e.TimeCreatedUtc < read.WindowStartUtc || e.TimeCreatedUtc > read.WindowEndUtc)
            {
                continue;
            }

            bool system = systemIds.Contains(e.Id) &&
                (e.ProviderName is null || string.Equals(e.ProviderName, MapiPoolEvents.WasProvider, StringComparison.OrdinalIgnoreCase));
            bool application = MapiPoolEvents.ApplicationFailures.Contains(e.Id) &&
                (e.ProviderName ?? string.Empty).StartsWith("MSExchange", StringComparison.OrdinalIgnoreCase);
            if (!system && !application)
            {
                continue;
            }

            string? pool = MapiIisBaseline.PoolNamedIn(string.Join(" ", e.Properties)) ?? MapiIisBaseline.PoolNamedIn(e.Message);
            if (pool is null && application)
            {
                pool = PoolOfProvider(e.ProviderName);
            }

            if (pool is null)
            {
                // A WAS event of another pool is not ours; an Exchange 1053 naming no pool is counted here for the warning.
                if (application)
                {
                    unattributed++;
                }

                continue;
            }

            if (!byPool.TryGetValue(pool, out var list))
            {
                byPool[pool] = list = new List<EventFacts>();
            }

            list.Add(e);
        }

        return byPool;
    }

    private static string? PoolOfProvider(string? provider)
    {
        string text = (provider ?? string.Empty).Replace(" ", string.Empty);
        if (text.IndexOf("AddressBook", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("Nspi", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return MapiIisBaseline.AddressBookPool;
        }

        if (text.IndexOf("Emsmdb", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("MapiMailbox", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return MapiIisBaseline.MailboxPool;
        }

        if (text.IndexOf("HttpProxy", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("FrontEnd", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return MapiIisBaseline.FrontEndPool;
        }

        return null;
    }

    /// <summary>The Exchange install folder (…\V15), from the other applications' paths or a pool's CLRConfigFile.</summary>
    private static string? InstallRoot(IIisConfigurationSource iis, CancellationToken cancellation)
    {
        foreach (ApplicationConfig application in iis.GetApplications())
        {
            cancellation.ThrowIfCancellationRequested();
            string path = (application.PhysicalPath ?? string.Empty).Replace('/', '\\');
            foreach (string marker in new[] { "\\FrontEnd\\HttpProxy\\", "\\ClientAccess\\" })
            {
                int index = path.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
                if (index > 0 && path.IndexOf('%') < 0)
                {
                    return path.Substring(0, index);
                }
            }
        }

        foreach (MapiPoolDefinition pool in MapiIisBaseline.Pools)
        {
            string file;
            try
            {
                file = (iis.GetApplicationPool(pool.Name)?.ClrConfigFile ?? string.Empty).Replace('/', '\\');
            }
            catch (IisConfigurationException)
            {
                // The pool's own result reports the bad value.
                continue;
            }

            int index = file.IndexOf("\\bin\\", StringComparison.OrdinalIgnoreCase);
            if (index > 0)
            {
                return file.Substring(0, index);
            }
        }

        return null;
    }
}
