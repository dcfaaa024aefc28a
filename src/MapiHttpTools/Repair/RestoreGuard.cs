using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Repair;

/// <summary>
/// What a backup file may decide (issue 20: a crafted backup planned Set-MapiVirtualDirectory -Identity 'EX99...'
/// -InternalUrl https://attacker.example/mapi). The admin names the server; the backup must be of that server; the
/// URLs it puts back must be in the organisation's namespaces (the hosts of the MAPI, OWA and EWS virtual directories
/// as Exchange reports them now) unless -Force says otherwise.
/// </summary>
internal static class RestoreGuard
{
    /// <summary>The backup is of <paramref name="server"/> (short name or FQDN), and so is every item in it.</summary>
    public static void CheckServer(RepairBackup backup, string server, string path)
    {
        if (!SameServer(backup.Server, server))
        {
            throw new RepairException("RestoreServerMismatch",
                $"The backup '{DisplayText.Safe(path)}' is of the server '{DisplayText.Safe(backup.Server)}', not of {DisplayText.Safe(server)}: a restore changes only the server named with -Server, and only from its own backup. Nothing was changed.")
            { Category = ErrorCategory.InvalidArgument, Target = server };
        }

        if (backup.VirtualDirectory is { } vdir)
        {
            string? identityServer = vdir.Identity is { } identity && identity.IndexOf('\\') > 0 ? identity.Substring(0, identity.IndexOf('\\')) : null;
            foreach (string? named in new[] { vdir.Server, identityServer })
            {
                if (named is not null && !SameServer(named, server))
                {
                    throw new RepairException("RestoreServerMismatch",
                        $"The backup '{DisplayText.Safe(path)}' names the virtual directory of '{DisplayText.Safe(named)}' although it is a backup of {DisplayText.Safe(backup.Server)}: it was not written by this module as it is. Nothing was changed.")
                    { Category = ErrorCategory.InvalidData, Target = path };
                }
            }
        }
    }

    /// <summary>Every URL the restore would set has a host among <paramref name="namespaces"/>.</summary>
    public static void CheckUrls(SavedVirtualDirectory saved, IReadOnlyCollection<string> namespaces, string path)
    {
        foreach ((string setting, string? url) in new[] { ("InternalUrl", saved.InternalUrl), ("ExternalUrl", saved.ExternalUrl) })
        {
            if (url is null)
            {
                continue;
            }

            string? host = Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) ? uri.Host : null;
            if (host is null || !namespaces.Contains(host, StringComparer.OrdinalIgnoreCase))
            {
                string known = namespaces.Count == 0 ? "none could be read" : string.Join(", ", namespaces.OrderBy(n => n, StringComparer.OrdinalIgnoreCase));
                throw new RepairException("RestoreUrlOutsideNamespace",
                    $"The backup '{DisplayText.Safe(path)}' would set {setting} to '{DisplayText.Safe(url)}', whose host is not one of the organisation's namespaces (the hosts of the MAPI, OWA and EWS virtual directories now: {known}). " +
                    "Nothing was changed. If that URL is right, run the restore again with -Force.")
                { Category = ErrorCategory.SecurityError, Target = url };
            }
        }
    }

    /// <summary>Adds the host of <paramref name="url"/>, when it is an absolute URL.</summary>
    public static void AddHost(ISet<string> hosts, string? url)
    {
        if (url is not null && Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && uri.Host.Length > 0)
        {
            hosts.Add(uri.Host);
        }
    }

    private static bool SameServer(string a, string b) =>
        RepairScope.ShortName(a).Equals(RepairScope.ShortName(b), StringComparison.OrdinalIgnoreCase);
}

/// <summary>The hosts of the organisation's MAPI, OWA and EWS virtual directories (their Internal and External URLs).</summary>
internal interface IRepairNamespaceReader
{
    IReadOnlyCollection<string> ReadHosts();
}

/// <summary>
/// Reads the namespaces through the Exchange cmdlets of the caller's session (on the pipeline thread), as the rest of
/// the repair does; a cmdlet the session lacks adds nothing.
/// </summary>
internal sealed class RunspaceNamespaceReader : IRepairNamespaceReader
{
    private static readonly string[] Commands = { "Get-MapiVirtualDirectory", "Get-OwaVirtualDirectory", "Get-WebServicesVirtualDirectory" };

    public IReadOnlyCollection<string> ReadHosts()
    {
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string command in Commands)
        {
            using PowerShell shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
            if (shell.Runspace is null || shell.AddCommand("Get-Command").AddParameter("Name", command).AddParameter("ErrorAction", "Ignore").Invoke().Count == 0)
            {
                continue;
            }

            shell.Commands.Clear();
            shell.AddCommand(command).AddParameter("ADPropertiesOnly", true);
            try
            {
                foreach (PSObject vdir in shell.Invoke())
                {
                    RestoreGuard.AddHost(hosts, RunspaceExchangeClient.Text(vdir.Properties["InternalUrl"]?.Value));
                    RestoreGuard.AddHost(hosts, RunspaceExchangeClient.Text(vdir.Properties["ExternalUrl"]?.Value));
                }
            }
            catch (RuntimeException)
            {
                // A namespace that cannot be read is not trusted: the restore then refuses its URLs unless -Force.
            }
        }

        return hosts;
    }
}
