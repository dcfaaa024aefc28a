using System;
using System.Collections.Generic;

namespace MapiHttpTools.Iis;

/// <summary>
/// The effective configuration of one application pool: schema defaults, then &lt;applicationPoolDefaults&gt;,
/// then the pool's own &lt;add&gt; element, the way IIS itself resolves them.
/// </summary>
internal sealed record AppPoolConfig(
    string Name,
    bool AutoStart,
    string ManagedRuntimeVersion,
    string ManagedPipelineMode,
    string IdentityType,
    string? UserName,
    TimeSpan IdleTimeout,
    TimeSpan PeriodicRestartTime,
    long PeriodicRestartMemory,
    long PeriodicRestartPrivateMemory,
    long PeriodicRestartRequests,
    IReadOnlyList<TimeSpan> PeriodicRestartSchedule,
    bool RapidFailProtection,
    long QueueLength,
    string? ClrConfigFile);

/// <summary>One application of a site: its path, pool and the physical path of its root virtual directory.</summary>
internal sealed record ApplicationConfig(string SiteName, string Path, string? ApplicationPool, string? PhysicalPath);

/// <summary>One site binding. CertificateKnown is false when the source cannot see the certificate (HTTP.sys keeps it, not the file).</summary>
internal sealed record SiteBinding(
    string Protocol,
    string BindingInformation,
    bool CertificateKnown,
    string? CertificateHash,
    string? CertificateStoreName)
{
    /// <summary>The IP part of "ip:port:host" ("*" or empty means all addresses).</summary>
    public string Address => Split()[0];

    /// <summary>The port of "ip:port:host", or null when the binding is not of that form (net.pipe, msmq).</summary>
    public int? Port => Split().Length >= 2 && int.TryParse(Split()[1], out int port) ? port : null;

    /// <summary>The host header of "ip:port:host"; empty means any host.</summary>
    public string Host => Split().Length >= 3 ? Split()[2] : string.Empty;

    private string[] Split()
    {
        // IPv6 addresses are bracketed ("[::1]:443:host"), so split on the last two colons.
        string info = BindingInformation ?? string.Empty;
        int last = info.LastIndexOf(':');
        if (last < 0)
        {
            return new[] { info };
        }

        int middle = info.LastIndexOf(':', Math.Max(0, last - 1));
        if (middle < 0 || middle == last)
        {
            return new[] { info.Substring(0, last), info.Substring(last + 1) };
        }

        return new[] { info.Substring(0, middle), info.Substring(middle + 1, last - middle - 1), info.Substring(last + 1) };
    }

    public override string ToString()
    {
        string text = $"{Protocol} {BindingInformation}";
        if (!string.Equals(Protocol, "https", StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }

        if (!CertificateKnown)
        {
            return text + " certificate=unknown";
        }

        return string.IsNullOrEmpty(CertificateHash) ? text + " certificate=none" : $"{text} certificate={CertificateHash}";
    }
}

/// <summary>A site: name, bindings and whether it starts with IIS; why binding certificates are unknown, where they are.</summary>
internal sealed record SiteConfig(string Name, long Id, bool ServerAutoStart, IReadOnlyList<SiteBinding> Bindings, string? CertificateUnknownReason = null);

/// <summary>
/// The effective security settings at one location ("Default Web Site/mapi"): the global sections, then every
/// &lt;location&gt; from the root down to the path, attribute by attribute.
/// </summary>
internal sealed record LocationSecurity(
    string Location,
    bool WindowsAuthentication,
    bool AnonymousAuthentication,
    bool BasicAuthentication,
    bool DigestAuthentication,
    string SslFlags,
    string ExtendedProtectionTokenChecking,
    string ExtendedProtectionFlags)
{
    /// <summary>
    /// The windowsAuthentication providers in effect, in order (the collection merged from the global section down:
    /// clear, add, remove), as IIS offers them in WWW-Authenticate (issue 14). Empty when none were read.
    /// </summary>
    public IReadOnlyList<string> WindowsAuthenticationProviders { get; init; } = System.Array.Empty<string>();

    /// <summary>windowsAuthentication useKernelMode: HTTP.sys decrypts Kerberos tickets itself (with the computer account unless useAppPoolCredentials).</summary>
    public bool UseKernelMode { get; init; }

    /// <summary>windowsAuthentication useAppPoolCredentials: kernel-mode Kerberos uses the pool identity's key instead of the computer's.</summary>
    public bool UseAppPoolCredentials { get; init; }
}

/// <summary>A worker process serving a pool.</summary>
internal sealed record WorkerProcessFacts(int ProcessId, string? State, DateTime? StartTime);

/// <summary>
/// Runtime facts of a pool or site. <see cref="Known"/> is false when the source cannot know them
/// (a configuration file); <see cref="Reason"/> then says why, and a failure to read says what failed.
/// </summary>
internal sealed record RuntimeFacts(bool Known, string? State, IReadOnlyList<WorkerProcessFacts>? WorkerProcesses, string? Reason, bool Failed = false)
{
    public static RuntimeFacts Unknown(string reason) => new(false, null, null, reason);

    public static RuntimeFacts ReadFailed(string reason) => new(false, null, null, reason, true);
}
