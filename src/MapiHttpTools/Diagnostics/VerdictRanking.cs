using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools.Diagnostics;

/// <summary>
/// The order of the verdict's findings (issue 11), a pure function: widest outage first. A front end down (all
/// protocols) > MAPI-only failure on servers (app pool, vdir, network) > organisation-wide NotEnabled > certificate >
/// authentication configuration > per-mailbox settings > hardening and expiry warnings; within one scope, the finding
/// that affects more servers or mailboxes first; then a fixed order of causes and the text, so equal input always
/// gives the same headline. about_MapiHttpTools ("The verdict") documents the same order.
/// </summary>
internal static class VerdictRanking
{
    /// <summary>Within one scope and count, the cause an admin should look at first (only decides true ties).</summary>
    private static readonly MapiHttpCause[] CauseOrder =
    {
        MapiHttpCause.Network, MapiHttpCause.AppPool, MapiHttpCause.VirtualDirectory, MapiHttpCause.NotEnabled,
        MapiHttpCause.Certificate, MapiHttpCause.Authentication, MapiHttpCause.Client, MapiHttpCause.None,
    };

    /// <summary>
    /// The scope of one result that failed or warned. Warnings are always the last scope, whatever their cause (an
    /// Extended Protection hardening warning never outranks a failure); a failure's scope follows from what it is
    /// about. <paramref name="hasServer"/>: the result is about an Exchange server (not the organisation, not a namespace).
    /// </summary>
    public static MapiHttpVerdictScope ScopeOf(CheckStatus status, MapiHttpCause cause, bool isMailbox, bool hasServer)
    {
        if (status != CheckStatus.Fail)
        {
            return MapiHttpVerdictScope.Warning;
        }

        if (isMailbox)
        {
            return MapiHttpVerdictScope.Mailbox;
        }

        return cause switch
        {
            MapiHttpCause.AppPool or MapiHttpCause.VirtualDirectory or MapiHttpCause.Network => MapiHttpVerdictScope.MapiOnServers,

            // MapiProxy inactive on a server takes MAPI/HTTP alone off that server; the organisation switch
            // (OrganizationMapiHttp) or any other NotEnabled without a server, everyone. (Issue 19: the former second
            // condition "check is OrganizationMapiHttp or no server" was always true here, so it is gone.)
            MapiHttpCause.NotEnabled when hasServer => MapiHttpVerdictScope.MapiOnServers,
            MapiHttpCause.NotEnabled => MapiHttpVerdictScope.OrganizationNotEnabled,
            MapiHttpCause.Certificate => MapiHttpVerdictScope.Certificate,
            MapiHttpCause.Authentication => MapiHttpVerdictScope.Authentication,

            // Client (and any cause added later) never outranks an outage of servers or the organisation.
            _ => MapiHttpVerdictScope.Mailbox,
        };
    }

    /// <summary>The findings, first the one the headline goes to.</summary>
    public static IReadOnlyList<MapiHttpVerdictFinding> Order(IEnumerable<MapiHttpVerdictFinding> findings) =>
        findings
            .OrderBy(f => f.Scope)
            .ThenByDescending(f => f.AffectedCount)
            .ThenByDescending(f => f.Status)
            .ThenBy(f => CauseRank(f.Cause))
            .ThenBy(f => f.Where, StringComparer.OrdinalIgnoreCase)
            .ThenBy(f => f.Message, StringComparer.Ordinal)
            .ToArray();

    private static int CauseRank(MapiHttpCause cause)
    {
        int index = Array.IndexOf(CauseOrder, cause);
        return index < 0 ? CauseOrder.Length : index;
    }
}
