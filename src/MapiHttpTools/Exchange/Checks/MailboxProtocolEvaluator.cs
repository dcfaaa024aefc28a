using System.Collections.Generic;

namespace MapiHttpTools.Exchange.Checks;

/// <summary>
/// The effective client protocol of a mailbox (docs/design.md): the mailbox's MapiHttpEnabled overrides the
/// organisation's when it is not $null; MapiBlockOutlookExternalConnectivity keeps MAPI/HTTP inside; MAPIEnabled
/// $false, or RPC/HTTP blocked while MAPI/HTTP is off, leaves Outlook nothing.
/// </summary>
internal static class MailboxProtocolEvaluator
{
    /// <summary>
    /// The server-side filter for -ProblemsOnly when the organisation has MAPI/HTTP on: every mailbox setting
    /// <see cref="Evaluate"/> flags (issue 11: MapiBlockOutlookExternalConnectivity and MapiBlockOutlookVersions were
    /// missing, so -ProblemsOnly dropped mailboxes the unfiltered run flags). Results are still evaluated here, so a
    /// mailbox the filter lets through that works (RPC/HTTP blocked while it has MAPI/HTTP) is not reported.
    /// </summary>
    public const string ProblemFilter =
        "MAPIEnabled -eq $false -or MapiHttpEnabled -eq $false -or MAPIBlockOutlookRpcHttp -eq $true -or MAPIBlockOutlookExternalConnectivity -eq $true -or MAPIBlockOutlookVersions -ne $null";

    /// <summary>
    /// The filter for the organisation's setting: when it is off or unknown, every mailbox that follows it (MapiHttpEnabled
    /// $null) is flagged too, so the filtered and unfiltered problem sets stay equal.
    /// </summary>
    public static string ProblemFilterFor(bool? organizationMapiHttpEnabled) =>
        organizationMapiHttpEnabled == true ? ProblemFilter : ProblemFilter + " -or MapiHttpEnabled -eq $null";

    public static MapiClientProtocol EffectiveProtocol(bool? organizationMapiHttpEnabled, CasMailboxFacts mailbox)
    {
        if (!mailbox.MAPIEnabled)
        {
            return MapiClientProtocol.None;
        }

        if (mailbox.MapiHttpEnabled is null && organizationMapiHttpEnabled is null)
        {
            // Issue 19: the mailbox follows an organisation setting that could not be read; neither MAPI/HTTP nor RPC/HTTP is known.
            return MapiClientProtocol.Unknown;
        }

        bool mapiHttp = mailbox.MapiHttpEnabled ?? organizationMapiHttpEnabled ?? false;
        if (mapiHttp)
        {
            return mailbox.MapiBlockOutlookExternalConnectivity ? MapiClientProtocol.MapiHttpInternalOnly : MapiClientProtocol.MapiHttp;
        }

        return mailbox.MapiBlockOutlookRpcHttp ? MapiClientProtocol.None : MapiClientProtocol.RpcHttp;
    }

    public static MapiHttpMailboxStateResult Evaluate(bool? organizationMapiHttpEnabled, CasMailboxFacts mailbox)
    {
        MapiClientProtocol protocol = EffectiveProtocol(organizationMapiHttpEnabled, mailbox);
        string id = PowerShellText.Quote(mailbox.Identity);
        string name = mailbox.PrimarySmtpAddress ?? mailbox.Identity;
        bool followsOrganization = mailbox.MapiHttpEnabled is null;
        CheckStatus status;
        MapiHttpCause cause;
        string message;
        string? recommendation;

        switch (protocol)
        {
            case MapiClientProtocol.None when !mailbox.MAPIEnabled:
                (status, cause) = (CheckStatus.Fail, MapiHttpCause.NotEnabled);
                message = $"MAPI is disabled for {name} (MAPIEnabled $false): Outlook cannot open this mailbox over any protocol.";
                recommendation = $"Set-CASMailbox -Identity {id} -MAPIEnabled $true";
                break;
            case MapiClientProtocol.None:
                (status, cause) = (CheckStatus.Fail, MapiHttpCause.NotEnabled);
                message = $"MAPI/HTTP is off for {name} ({Source(followsOrganization)}) and RPC/HTTP is blocked (MapiBlockOutlookRpcHttp $true): Outlook has no way to connect.";
                recommendation = $"Set-CASMailbox -Identity {id} -MapiHttpEnabled $true";
                break;
            case MapiClientProtocol.Unknown:
                (status, cause) = (CheckStatus.Warning, MapiHttpCause.NotEnabled);
                message = $"The protocol of {name} is not known: it follows the organisation's MapiHttpEnabled, which could not be read (Get-OrganizationConfig returned no value).";
                recommendation = "Get-OrganizationConfig | Format-List MapiHttpEnabled";
                break;
            case MapiClientProtocol.RpcHttp:
                (status, cause) = (CheckStatus.Fail, MapiHttpCause.NotEnabled);
                message = $"MAPI/HTTP is off for {name} ({Source(followsOrganization)}): Autodiscover gives Outlook Outlook Anywhere (RPC/HTTP).";
                recommendation = followsOrganization ? Checks.OrganizationChecks.Fix : $"Set-CASMailbox -Identity {id} -MapiHttpEnabled $true";
                break;
            case MapiClientProtocol.MapiHttpInternalOnly:
                (status, cause) = (CheckStatus.Warning, MapiHttpCause.NotEnabled);
                message = $"{name} gets MAPI/HTTP inside the network only: MapiBlockOutlookExternalConnectivity removes the external URLs, so Outlook outside cannot connect.";
                recommendation = $"Set-CASMailbox -Identity {id} -MapiBlockOutlookExternalConnectivity $false";
                break;
            default:
                if (!string.IsNullOrEmpty(mailbox.MapiBlockOutlookVersions))
                {
                    (status, cause) = (CheckStatus.Warning, MapiHttpCause.Client);
                    message = $"{name} gets MAPI/HTTP, but Outlook versions {mailbox.MapiBlockOutlookVersions} are blocked (MapiBlockOutlookVersions).";
                    recommendation = $"Set-CASMailbox -Identity {id} -MapiBlockOutlookVersions $null";
                }
                else
                {
                    (status, cause) = (CheckStatus.Pass, MapiHttpCause.None);
                    message = $"{name} gets MAPI/HTTP inside and outside ({Source(followsOrganization)}).";
                    recommendation = null;
                }

                break;
        }

        var evidence = new List<KeyValuePair<string, object?>>
        {
            new("OrganizationMapiHttpEnabled", organizationMapiHttpEnabled),
            new("MailboxMapiHttpEnabled", mailbox.MapiHttpEnabled),
            new("MAPIEnabled", mailbox.MAPIEnabled),
            new("MapiBlockOutlookRpcHttp", mailbox.MapiBlockOutlookRpcHttp),
            new("MapiBlockOutlookExternalConnectivity", mailbox.MapiBlockOutlookExternalConnectivity),
        };
        return new MapiHttpMailboxStateResult(
            status,
            cause,
            mailbox.Identity,
            mailbox.PrimarySmtpAddress,
            mailbox.DisplayName,
            organizationMapiHttpEnabled,
            mailbox.MapiHttpEnabled,
            mailbox.MAPIEnabled,
            mailbox.MapiBlockOutlookExternalConnectivity,
            mailbox.MapiBlockOutlookRpcHttp,
            mailbox.MapiBlockOutlookVersions,
            protocol,
            message,
            recommendation,
            evidence);

        static string Source(bool followsOrganization) => followsOrganization ? "following the organisation setting" : "set on the mailbox";
    }
}
