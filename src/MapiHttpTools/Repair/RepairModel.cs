using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Iis;

namespace MapiHttpTools.Repair;

/// <summary>
/// The kinds of change, in the fixed order they are applied: organisation flag, the virtual directory itself
/// (recreate or restore of a removed one), its URLs, its authentication methods, IIS authentication of /mapi,
/// the MAPI application pools, and last the IIS reset.
/// </summary>
internal enum RepairStep
{
    OrganizationMapiHttpEnabled,
    RemoveVirtualDirectory,
    NewVirtualDirectory,
    InternalUrl,
    ExternalUrl,
    AuthenticationMethods,
    WindowsAuthentication,
    AnonymousAuthentication,
    AppPoolState,
    AppPoolRecycle,
    ResetIis,
}

/// <summary>What was asked for one server: explicit parameters and what the piped findings call for.</summary>
internal sealed class RepairRequest
{
    /// <summary>The default target of an authentication repair: Exchange's own default for the MAPI virtual directory.</summary>
    public static readonly IReadOnlyList<string> DefaultAuthenticationMethods = new[] { "Ntlm", "OAuth", "Negotiate" };

    public string? InternalUrl { get; set; }

    public string? ExternalUrl { get; set; }

    /// <summary>The methods that must be present (existing ones are kept); null when authentication methods are not repaired.</summary>
    public IReadOnlyList<string>? AuthenticationMethods { get; set; }

    public bool EnableOrganization { get; set; }

    public bool ResetIisAuthentication { get; set; }

    public ISet<string> StartPools { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    public ISet<string> RestartPools { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    public bool Recreate { get; set; }

    public bool ResetIis { get; set; }

    public bool NeedsOrganization => EnableOrganization;

    public bool NeedsIis => ResetIisAuthentication || StartPools.Count > 0 || RestartPools.Count > 0 || ResetIis;

    public bool IsEmpty =>
        InternalUrl is null && ExternalUrl is null && AuthenticationMethods is null && !EnableOrganization && !ResetIisAuthentication
        && StartPools.Count == 0 && RestartPools.Count == 0 && !Recreate;

    public void AddAuthenticationMethods(IEnumerable<string> methods)
    {
        AuthenticationMethods = AuthenticationMethodNames.Union(AuthenticationMethods ?? Array.Empty<string>(), methods);
    }
}

/// <summary>The MAPI virtual directory as Get-MapiVirtualDirectory -ADPropertiesOnly returned it.</summary>
internal sealed record VirtualDirectoryFacts(
    string Identity,
    string Server,
    string? InternalUrl,
    string? ExternalUrl,
    IReadOnlyList<string> AuthenticationMethods,
    string? Fqdn)
{
    /// <summary>The web site of the directory, from the name part of its Identity (SERVER\mapi (Web Site)).</summary>
    public string? WebSite => VirtualDirectoryName.WebSite(Identity);

    /// <summary>True for the front-end directory (web site "Default Web Site"); issue 12: by structure, not by searching the text.</summary>
    public bool IsDefaultWebSite => string.Equals(WebSite, VirtualDirectoryName.DefaultWebSite, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The parts of an Exchange virtual directory identity: an ADObjectId whose text is SERVER\NAME, NAME being
/// "application (web site)" as Exchange names every virtual directory ("mapi (Default Web Site)", "mapi (Exchange Back End)").
/// </summary>
internal static class VirtualDirectoryName
{
    public const string DefaultWebSite = "Default Web Site";

    /// <summary>The web site in parentheses at the end of the name part; null when the identity has no such part.</summary>
    public static string? WebSite(string identity)
    {
        int slash = identity.LastIndexOf('\\');
        string name = slash >= 0 ? identity.Substring(slash + 1) : identity;
        int open = name.IndexOf(" (", StringComparison.Ordinal);
        if (open <= 0 || !name.EndsWith(")", StringComparison.Ordinal))
        {
            return null;
        }

        return name.Substring(open + 2, name.Length - open - 3);
    }
}

/// <summary>The /mapi authentication settings IIS has (effective values at the location).</summary>
internal sealed record IisAuthenticationFacts(bool WindowsEnabled, bool AnonymousEnabled, IReadOnlyList<string> Providers);

/// <summary>Everything read about one server before planning.</summary>
internal sealed class RepairFacts
{
    public RepairFacts(string server) => Server = server;

    public string Server { get; }

    public VirtualDirectoryFacts? VirtualDirectory { get; set; }

    public bool? OrganizationMapiHttpEnabled { get; set; }

    public IisAuthenticationFacts? IisAuthentication { get; set; }

    /// <summary>Pool name to runtime state (Started, Stopped, ...); a null state means the pool does not exist.</summary>
    public IDictionary<string, string?> PoolStates { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Why IIS could not be read here (not Windows, no IIS management, access denied); null when it was read.</summary>
    public string? IisUnavailableReason { get; set; }
}

/// <summary>
/// One change of a plan: what, where, from what to what, the exact command, and whether it must be made at all.
/// <see cref="Decided"/> is set at planning time for NoChange and Skipped; otherwise the executor decides.
/// </summary>
internal sealed class PlannedChange
{
    public PlannedChange(RepairStep step, MapiRepairAction action, MapiHttpCause cause, string target, string setting, object? before, object? after, string command)
    {
        Step = step;
        Action = action;
        Cause = cause;
        Target = target;
        Setting = setting;
        Before = before;
        After = after;
        Command = command;
    }

    public RepairStep Step { get; }

    public MapiRepairAction Action { get; }

    public MapiHttpCause Cause { get; }

    public string Target { get; }

    public string Setting { get; }

    public object? Before { get; }

    public object? After { get; }

    public string Command { get; }

    /// <summary>NoChange or Skipped when the planner already knows; null when the change is to be made.</summary>
    public MapiRepairOutcome? Decided { get; init; }

    /// <summary>Why it is NoChange or Skipped.</summary>
    public string? Reason { get; init; }

    /// <summary>True for Exchange-side changes that take effect only after an IIS reset (the guide's iisreset).</summary>
    public bool NeedsIisReset { get; init; }

    /// <summary>Changes with the same key are confirmed together (remove and recreate of a virtual directory).</summary>
    public string? ConfirmGroup { get; init; }

    /// <summary>Values the executor needs besides Before/After (the server and URLs of New-MapiVirtualDirectory).</summary>
    public NewVirtualDirectorySpec? NewVirtualDirectory { get; init; }

    public bool IsPending => Decided is null;

    /// <summary>
    /// The sentence the confirmation prompt and -WhatIf print, with every value it sets (issue 20); values read from
    /// Exchange, IIS or a backup are escaped (DisplayText.Safe).
    /// </summary>
    public string Description => Step switch
    {
        RepairStep.RemoveVirtualDirectory => $"Remove the MAPI virtual directory '{Safe(Target)}' ({Safe(Command)})",
        RepairStep.NewVirtualDirectory => $"Create the MAPI virtual directory on {Safe(NewVirtualDirectory?.Server)} with {Show(After)} ({Safe(Command)})",
        RepairStep.AppPoolRecycle => $"Restart the application pool {Target} ({Show(Before)}) ({Command})",
        RepairStep.ResetIis => $"Reset IIS on {Safe(Target)} so that the changes above take effect ({Safe(Command)})",
        _ => $"Set {Setting} of '{Safe(Target)}' from {Show(Before)} to {Show(After)} ({Safe(Command)})",
    };

    private static string Show(object? value) => Safe(MapiRepairResult.Text(value));

    private static string Safe(string? text) => Infrastructure.DisplayText.Safe(text, 1024);
}

/// <summary>What New-MapiVirtualDirectory is called with.</summary>
internal sealed record NewVirtualDirectorySpec(string Server, string? InternalUrl, string? ExternalUrl, IReadOnlyList<string> AuthenticationMethods);

/// <summary>A planning or reading problem for one server, with the stable error id the cmdlet reports.</summary>
internal sealed class RepairException : Exception
{
    public RepairException(string errorId, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
    }

    public string ErrorId { get; }

    /// <summary>The ErrorCategory the cmdlet reports; InvalidOperation unless said.</summary>
    public System.Management.Automation.ErrorCategory Category { get; init; } = System.Management.Automation.ErrorCategory.InvalidOperation;

    /// <summary>The offending input (a server, a file, a URL).</summary>
    public object? Target { get; init; }

    /// <summary>This problem reported under <paramref name="errorId"/> with a category and target of the caller's choosing.</summary>
    public RepairException As(string errorId, System.Management.Automation.ErrorCategory category, object? target) =>
        new(errorId, Message, InnerException ?? this) { Category = category, Target = target };
}

/// <summary>Exchange's IISAuthenticationMethods names: canonical spelling, parsing and union that keeps existing entries.</summary>
internal static class AuthenticationMethodNames
{
    private static readonly string[] Known = { "Ntlm", "OAuth", "Negotiate", "Kerberos", "Basic", "Digest", "WindowsIntegrated", "LiveIdNegotiate", "LiveIdBasic", "Fba", "Adfs", "WSSecurity", "Certificate", "NegoEx" };

    /// <summary>True for a name Exchange's AuthenticationMethod enum has.</summary>
    public static bool IsKnown(string name) => Known.Contains(name.Trim(), StringComparer.OrdinalIgnoreCase);

    public static string Canonical(string name)
    {
        string trimmed = name.Trim();
        return Known.FirstOrDefault(k => k.Equals(trimmed, StringComparison.OrdinalIgnoreCase)) ?? trimmed;
    }

    /// <summary>Existing methods first, in their order, then the missing wanted ones in the wanted order.</summary>
    public static IReadOnlyList<string> Union(IEnumerable<string> existing, IEnumerable<string> wanted)
    {
        var result = new List<string>();
        foreach (string name in existing.Concat(wanted).Select(Canonical).Where(n => n.Length > 0))
        {
            if (!result.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                result.Add(name);
            }
        }

        return result;
    }

    public static IReadOnlyList<string> Missing(IEnumerable<string> existing, IEnumerable<string> wanted)
    {
        string[] have = existing.Select(Canonical).ToArray();
        return wanted.Select(Canonical).Where(w => !have.Contains(w, StringComparer.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    /// <summary>Exchange method name for a WWW-Authenticate scheme the probe saw (Negotiate, NTLM, Bearer, Basic).</summary>
    public static string FromHttpScheme(string scheme) => Canonical(Probing.AuthenticationSchemes.ToExchangeMethod(scheme));

    public static bool SameSet(IEnumerable<string> a, IEnumerable<string> b)
    {
        var left = new HashSet<string>(a.Select(Canonical), StringComparer.OrdinalIgnoreCase);
        return left.SetEquals(b.Select(Canonical));
    }
}

/// <summary>The MAPI pools and the /mapi location the repairs touch.</summary>
internal static class RepairScope
{
    public const string MapiLocation = "Default Web Site/mapi";

    public const string WindowsAuthenticationSection = "windowsAuthentication";

    public const string AnonymousAuthenticationSection = "anonymousAuthentication";

    public static readonly IReadOnlyList<string> Pools = MapiIisBaseline.Pools.Select(p => p.Name).ToArray();

    public static bool IsMapiPool(string? name) => name is not null && Pools.Contains(name, StringComparer.OrdinalIgnoreCase);

    public static string CanonicalPool(string name) => Pools.First(p => p.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>URLs compare without a trailing slash and case-insensitively (hosts and Exchange's /mapi path are).</summary>
    public static bool SameUrl(string? a, string? b) =>
        string.Equals(a?.Trim().TrimEnd('/'), b?.Trim().TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
        || (string.IsNullOrWhiteSpace(a) && string.IsNullOrWhiteSpace(b));

    /// <summary>The short name of a server ("EX01" for "EX01.contoso.com"); addresses stay as they are.</summary>
    public static string ShortName(string server)
    {
        string trimmed = server.Trim();
        if (System.Net.IPAddress.TryParse(trimmed, out _))
        {
            return trimmed;
        }

        int dot = trimmed.IndexOf('.');
        return dot > 0 ? trimmed.Substring(0, dot) : trimmed;
    }
}
