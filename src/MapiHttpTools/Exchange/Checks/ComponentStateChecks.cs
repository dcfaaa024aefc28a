using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools.Exchange.Checks;

/// <summary>
/// Server component state (Get-ServerComponentState): MapiProxy and ServerWideOffline active. An inactive MapiProxy
/// makes the front end fail /mapi/healthcheck.htm and refuse MAPI/HTTP; an inactive ServerWideOffline (maintenance
/// mode) turns every protocol off, which is what a front end failing every health page looks like.
/// </summary>
internal static class ComponentStateChecks
{
    public static IEnumerable<MapiHttpConfigurationResult> Check(ExchangeServerFacts server, IReadOnlyList<ServerComponentStateFacts> states)
    {
        foreach (string component in MapiComponents.All)
        {
            ServerComponentStateFacts? state = states.FirstOrDefault(s => string.Equals(s.Component, component, StringComparison.OrdinalIgnoreCase));
            var finding = new ConfigurationFinding(ConfigurationCheckNames.ComponentState, ConfigurationArea.ComponentState, CheckStatus.Pass, MapiHttpCause.None, string.Empty)
            {
                Server = server.Name,
                Identity = server.Name,
                Target = component,
                Property = "State",
                Value = state?.State,
                ExpectedValue = "Active",
                Evidence = CheckText.Evidence(("Component", component), ("State", state?.State), ("InactiveRequesters", state?.InactiveRequesters.ToArray() ?? Array.Empty<string>())),
            };

            if (state is null)
            {
                yield return (finding with
                {
                    Status = CheckStatus.Skipped,
                    Message = $"Exchange returned no state for {component} on {server.Name}.",
                }).ToResult();
                continue;
            }

            if (string.Equals(state.State, "Active", StringComparison.OrdinalIgnoreCase))
            {
                yield return (finding with { Message = $"{component} is active on {server.Name}." }).ToResult();
                continue;
            }

            string[] requesters = state.InactiveRequesters.Count > 0 ? state.InactiveRequesters.ToArray() : new[] { "Maintenance" };
            string fix = string.Join("; ", requesters.Select(r =>
                $"Set-ServerComponentState -Identity {PowerShellText.Quote(server.Name)} -Component {component} -State Active -Requester {r}"));
            string by = state.InactiveRequesters.Count > 0 ? $" (set by {string.Join(", ", state.InactiveRequesters)})" : string.Empty;
            bool draining = string.Equals(state.State, "Draining", StringComparison.OrdinalIgnoreCase);
            string effect = component == MapiComponents.ServerWideOffline
                ? "the server is in maintenance mode and every protocol on it is off, so every health page of its front end fails"
                : "its front end answers /mapi/healthcheck.htm with an error and refuses MAPI/HTTP, so load balancers take it out for Outlook";
            yield return (finding with
            {
                Status = draining ? CheckStatus.Warning : CheckStatus.Fail,
                Cause = MapiHttpCause.NotEnabled,
                Message = $"{component} is {state.State} on {server.Name}{by}: {effect}.",
                Recommendation = fix,
            }).ToResult();
        }
    }
}
