using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace MapiHttpTools.Repair;

/// <summary>
/// Calls the Exchange cmdlets of the caller's own session (never Exchange assemblies): a nested pipeline in the
/// current runspace, so it must be used on the pipeline thread. Works the same with Exchange Management Shell,
/// an imported remote Exchange session (whose objects are property bags) and stand-in functions in tests.
/// </summary>
internal sealed class RunspaceExchangeClient : IExchangeRepairClient
{
    private readonly PSCmdlet _cmdlet;

    public RunspaceExchangeClient(PSCmdlet cmdlet) => _cmdlet = cmdlet;

    public IReadOnlyList<string> MissingCommands(IEnumerable<string> commands) =>
        commands.Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(c => _cmdlet.InvokeCommand.GetCommand(c, CommandTypes.Cmdlet | CommandTypes.Function | CommandTypes.Alias) is null)
            .ToArray();

    public IReadOnlyList<VirtualDirectoryFacts> GetVirtualDirectories(string? server, string? identity)
    {
        var parameters = new List<(string, object?)>();
        parameters.Add(identity is not null ? ("Identity", identity) : ("Server", server));
        parameters.Add(("ADPropertiesOnly", true));
        return Run("Get-MapiVirtualDirectory", parameters).Select(ToFacts).ToArray();
    }

    public bool GetOrganizationMapiHttpEnabled()
    {
        PSObject config = Run("Get-OrganizationConfig", new List<(string, object?)>()).FirstOrDefault()
            ?? throw new RepairException("ExchangeReadFailed", "Get-OrganizationConfig returned nothing.");
        object? value = Unwrap(config.Properties["MapiHttpEnabled"]?.Value);
        return value switch
        {
            bool b => b,
            string s when bool.TryParse(s, out bool parsed) => parsed,
            _ => throw new RepairException("ExchangeReadFailed", "Get-OrganizationConfig has no MapiHttpEnabled value (Exchange 2013 CU10 or later is needed)."),
        };
    }

    public void SetOrganizationMapiHttpEnabled(bool value) =>
        Run("Set-OrganizationConfig", new List<(string, object?)> { ("MapiHttpEnabled", value) });

    public void SetVirtualDirectoryUrl(string identity, string parameter, string? url) =>
        Run("Set-MapiVirtualDirectory", new List<(string, object?)> { ("Identity", identity), (parameter, url is null ? null : new Uri(url, UriKind.Absolute)) });

    public void SetVirtualDirectoryAuthentication(string identity, IReadOnlyList<string> methods) =>
        Run("Set-MapiVirtualDirectory", new List<(string, object?)> { ("Identity", identity), ("IISAuthenticationMethods", methods.ToArray()) });

    public void RemoveVirtualDirectory(string identity) =>
        Run("Remove-MapiVirtualDirectory", new List<(string, object?)> { ("Identity", identity), ("Confirm", false) });

    public void NewVirtualDirectory(NewVirtualDirectorySpec spec)
    {
        var parameters = new List<(string, object?)> { ("Server", spec.Server) };
        if (spec.InternalUrl is not null)
        {
            parameters.Add(("InternalUrl", new Uri(spec.InternalUrl, UriKind.Absolute)));
        }

        if (spec.ExternalUrl is not null)
        {
            parameters.Add(("ExternalUrl", new Uri(spec.ExternalUrl, UriKind.Absolute)));
        }

        parameters.Add(("IISAuthenticationMethods", spec.AuthenticationMethods.ToArray()));
        Run("New-MapiVirtualDirectory", parameters);
    }

    /// <summary>Reads the properties a repair needs from a live or deserialized virtual directory.</summary>
    internal static VirtualDirectoryFacts ToFacts(PSObject vdir)
    {
        string identity = Text(vdir.Properties["Identity"]?.Value) ?? Text(vdir) ?? throw new RepairException("ExchangeReadFailed", "Get-MapiVirtualDirectory returned an object without Identity.");
        string? server = Text(vdir.Properties["Server"]?.Value) ?? Text(vdir.Properties["ServerName"]?.Value);
        if (server is null)
        {
            int slash = identity.IndexOf('\\');
            server = slash > 0 ? identity.Substring(0, slash) : string.Empty;
        }

        return new VirtualDirectoryFacts(
            identity,
            server,
            Text(vdir.Properties["InternalUrl"]?.Value),
            Text(vdir.Properties["ExternalUrl"]?.Value),
            Methods(vdir.Properties["IISAuthenticationMethods"]?.Value),
            FqdnFromMetabasePath(Text(vdir.Properties["MetabasePath"]?.Value)));
    }

    /// <summary>The host of "IIS://EX01.contoso.com/W3SVC/1/ROOT/mapi": the server's FQDN.</summary>
    internal static string? FqdnFromMetabasePath(string? metabasePath)
    {
        if (metabasePath is null || !metabasePath.StartsWith("IIS://", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string rest = metabasePath.Substring("IIS://".Length);
        int slash = rest.IndexOf('/');
        string host = slash >= 0 ? rest.Substring(0, slash) : rest;
        return host.Length == 0 ? null : host;
    }

    /// <summary>IISAuthenticationMethods as a list: a MultiValuedProperty, a deserialized list of enum bags, strings, "a, b".</summary>
    internal static IReadOnlyList<string> Methods(object? value)
    {
        var names = new List<string>();
        void Add(object? item)
        {
            string? text = Text(item);
            if (text is null)
            {
                return;
            }

            names.AddRange(text.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries).Select(AuthenticationMethodNames.Canonical));
        }

        object? inner = Unwrap(value);
        if (inner is IEnumerable list and not string)
        {
            foreach (object? item in list)
            {
                Add(item);
            }
        }
        else
        {
            Add(inner);
        }

        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    /// <summary>A value as text: live Exchange types and their deserialized bags both render through ToString().</summary>
    internal static string? Text(object? value)
    {
        if (value is null)
        {
            return null;
        }

        string? text = value is PSObject ps ? ps.ToString() : Convert.ToString(value, CultureInfo.InvariantCulture);
        return string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
    }

    private static object? Unwrap(object? value) => value is PSObject ps && ps.BaseObject is not PSCustomObject ? ps.BaseObject : value;

    private Collection<PSObject> Run(string command, List<(string Name, object? Value)> parameters)
    {
        string text = CommandText(command, parameters);
        using PowerShell shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand(command);
        foreach ((string name, object? value) in parameters)
        {
            shell.AddParameter(name, value);
        }

        Collection<PSObject> output;
        try
        {
            output = shell.Invoke();
        }
        catch (RuntimeException ex)
        {
            throw new RepairException("ExchangeCommandFailed", $"{text} failed: {ex.Message}", ex);
        }

        if (shell.Streams.Error.Count > 0)
        {
            ErrorRecord first = shell.Streams.Error[0];
            throw new RepairException("ExchangeCommandFailed", $"{text} failed: {first.Exception?.Message ?? first.ToString()}", first.Exception);
        }

        return output;
    }

    /// <summary>The command as an admin would type it, for messages.</summary>
    internal static string CommandText(string command, IEnumerable<(string Name, object? Value)> parameters)
    {
        var parts = new List<string> { command };
        foreach ((string name, object? value) in parameters)
        {
            parts.Add(value switch
            {
                bool b when name is "Confirm" or "ADPropertiesOnly" => b ? $"-{name}" : $"-{name}:$false",
                _ => $"-{name} {Argument(value)}",
            });
        }

        return string.Join(" ", parts);
    }

    /// <summary>One argument in PowerShell syntax: $true/$false/$null, lists joined by commas, quoted where needed.</summary>
    internal static string Argument(object? value) => value switch
    {
        null => "$null",
        bool b => b ? "$true" : "$false",
        string s => Quote(s),
        Uri u => Quote(u.OriginalString),
        IEnumerable list => string.Join(",", list.Cast<object?>().Select(Argument)),
        _ => Quote(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty),
    };

    private static string Quote(string text) =>
        text.Length > 0 && text.All(c => char.IsLetterOrDigit(c) || c is '.' || c is '-' || c is '_' || c is ':' || c is '/')
            ? text
            : "'" + text.Replace("'", "''") + "'";
}
