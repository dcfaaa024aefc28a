using System.Collections.Generic;

namespace MapiHttpTools;

/// <summary>What Autodiscover gives a mailbox's Outlook, from the organisation and mailbox settings (docs/design.md truth table).</summary>
public enum MapiClientProtocol
{
    /// <summary>MAPI/HTTP inside and outside.</summary>
    MapiHttp,

    /// <summary>MAPI/HTTP inside only: MapiBlockOutlookExternalConnectivity removes the external URLs.</summary>
    MapiHttpInternalOnly,

    /// <summary>Outlook Anywhere (RPC/HTTP): MAPI/HTTP is off for this mailbox.</summary>
    RpcHttp,

    /// <summary>No Outlook connection at all: MAPI is disabled, or RPC/HTTP is blocked while MAPI/HTTP is off.</summary>
    None,

    /// <summary>Not known: the mailbox follows the organisation's MapiHttpEnabled, which could not be read.</summary>
    Unknown,
}

/// <summary>
/// One mailbox's MAPI/HTTP state. Property names are Exchange's, and <see cref="Identity"/> binds by property name,
/// so results pipe into Set-CASMailbox.
/// </summary>
public sealed class MapiHttpMailboxStateResult : MapiHttpResult
{
    internal MapiHttpMailboxStateResult(
        CheckStatus status,
        MapiHttpCause cause,
        string identity,
        string? primarySmtpAddress,
        string? displayName,
        bool? organizationMapiHttpEnabled,
        bool? mailboxMapiHttpEnabled,
        bool mapiEnabled,
        bool mapiBlockOutlookExternalConnectivity,
        bool mapiBlockOutlookRpcHttp,
        string? mapiBlockOutlookVersions,
        MapiClientProtocol effectiveProtocol,
        string message,
        string? recommendation,
        IEnumerable<KeyValuePair<string, object?>>? evidence)
        : base("MailboxProtocol", status, cause, identity, null, message, recommendation, evidence)
    {
        Identity = identity;
        PrimarySmtpAddress = primarySmtpAddress;
        DisplayName = displayName;
        OrganizationMapiHttpEnabled = organizationMapiHttpEnabled;
        MailboxMapiHttpEnabled = mailboxMapiHttpEnabled;
        MAPIEnabled = mapiEnabled;
        MapiBlockOutlookExternalConnectivity = mapiBlockOutlookExternalConnectivity;
        MapiBlockOutlookRpcHttp = mapiBlockOutlookRpcHttp;
        MapiBlockOutlookVersions = mapiBlockOutlookVersions;
        EffectiveProtocol = effectiveProtocol;
    }

    /// <summary>The mailbox, as Get-CASMailbox names it; binds to Set-CASMailbox -Identity.</summary>
    public string Identity { get; }

    public string? PrimarySmtpAddress { get; }

    public string? DisplayName { get; }

    /// <summary>Get-OrganizationConfig MapiHttpEnabled.</summary>
    public bool? OrganizationMapiHttpEnabled { get; }

    /// <summary>Get-CASMailbox MapiHttpEnabled: $null follows the organisation.</summary>
    public bool? MailboxMapiHttpEnabled { get; }

    public bool MAPIEnabled { get; }

    public bool MapiBlockOutlookExternalConnectivity { get; }

    public bool MapiBlockOutlookRpcHttp { get; }

    public string? MapiBlockOutlookVersions { get; }

    /// <summary>The protocol Outlook gets: MapiHttp, MapiHttpInternalOnly, RpcHttp, None or Unknown.</summary>
    public MapiClientProtocol EffectiveProtocol { get; }

    /// <summary>The mailbox identity (issue 11): what Set-CASMailbox -WhatIf and string expansion show for a piped result.</summary>
    public override string ToString() => Identity;
}
