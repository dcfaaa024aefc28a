using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using MapiHttpTools.Exchange;

namespace MapiHttpTools.Repair;

/// <summary>
/// The repair's facet of the one Exchange gateway (issue 12): every call goes through
/// <see cref="RunspaceCommandRunner"/> (the caller's own runspace, so Exchange Management Shell, an imported remote
/// session and stand-in functions work alike), every object is read by <see cref="ExchangeFactReader"/> /
/// <see cref="ExchangeValues"/> (enums by name, issue 11), and commands are written by <see cref="PowerShellText"/>.
/// Used on the pipeline thread.
/// </summary>
internal sealed class RunspaceExchangeClient : IExchangeRepairClient
{
    private readonly PSCmdlet _cmdlet;
    private readonly RunspaceCommandRunner _runner;

    public RunspaceExchangeClient(PSCmdlet cmdlet)
    {
        _cmdlet = cmdlet;
        _runner = RunspaceCommandRunner.Inline(cmdlet, RunspaceCommandRunner.AllCommands.Concat(RunspaceCommandRunner.WriteCommands));
    }

    public IReadOnlyList<string> MissingCommands(IEnumerable<string> commands) =>
        RunspaceCommandRunner.FindMissing(_cmdlet, commands.Distinct(StringComparer.OrdinalIgnoreCase));

    public IReadOnlyList<VirtualDirectoryFacts> GetVirtualDirectories(string? server, string? identity)
    {
        var command = new ExchangeCommand("Get-MapiVirtualDirectory");
        command = identity is not null ? command.With("Identity", identity) : command.With("Server", server);
        return Run(command.With("ADPropertiesOnly", true)).Select(ToFacts).ToArray();
    }

    public bool GetOrganizationMapiHttpEnabled()
    {
        PSObject config = Run(new ExchangeCommand("Get-OrganizationConfig")).FirstOrDefault()
            ?? throw new RepairException("ExchangeReadFailed", "Get-OrganizationConfig returned nothing.");
        return ExchangeValues.Bool(config, "MapiHttpEnabled")
            ?? throw new RepairException("ExchangeReadFailed", "Get-OrganizationConfig has no MapiHttpEnabled value (Exchange 2013 CU10 or later is needed).");
    }

    public void SetOrganizationMapiHttpEnabled(bool value) =>
        Run(new ExchangeCommand("Set-OrganizationConfig").With("MapiHttpEnabled", value));

    public void SetVirtualDirectoryUrl(string identity, string parameter, string? url) =>
        Run(new ExchangeCommand("Set-MapiVirtualDirectory").With("Identity", identity).With(parameter, url is null ? null : new Uri(url, UriKind.Absolute)));

    public void SetVirtualDirectoryAuthentication(string identity, IReadOnlyList<string> methods) =>
        Run(new ExchangeCommand("Set-MapiVirtualDirectory").With("Identity", identity).With("IISAuthenticationMethods", methods.ToArray()));

    public void RemoveVirtualDirectory(string identity) =>
        Run(new ExchangeCommand("Remove-MapiVirtualDirectory").With("Identity", identity).With("Confirm", false));

    public void NewVirtualDirectory(NewVirtualDirectorySpec spec)
    {
        var command = new ExchangeCommand("New-MapiVirtualDirectory").With("Server", spec.Server);
        if (spec.InternalUrl is not null)
        {
            command.With("InternalUrl", new Uri(spec.InternalUrl, UriKind.Absolute));
        }

        if (spec.ExternalUrl is not null)
        {
            command.With("ExternalUrl", new Uri(spec.ExternalUrl, UriKind.Absolute));
        }

        Run(command.With("IISAuthenticationMethods", spec.AuthenticationMethods.ToArray()));
    }

    /// <summary>Reads the properties a repair needs from a live or deserialized virtual directory, through the one adapter.</summary>
    internal static VirtualDirectoryFacts ToFacts(PSObject vdir)
    {
        MapiVirtualDirectoryFacts facts;
        try
        {
            facts = ExchangeFactReader.ReadVirtualDirectory(vdir);
        }
        catch (ExchangeDataException ex)
        {
            throw new RepairException("ExchangeReadFailed", ex.Message, ex);
        }

        return new VirtualDirectoryFacts(
            facts.Identity,
            ExchangeValues.Text(vdir, "Server") ?? ExchangeValues.Text(vdir, "ServerName") ?? ExchangeFactReader.ServerOf(facts.Identity),
            facts.InternalUrl,
            facts.ExternalUrl,
            Methods(ExchangeValues.Raw(vdir, "IISAuthenticationMethods")),
            FqdnFromMetabasePath(ExchangeValues.Text(vdir, "MetabasePath")));
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

    /// <summary>IISAuthenticationMethods by name (issue 11: a deserialized enum is read by its name, never its number), canonically spelled.</summary>
    internal static IReadOnlyList<string> Methods(object? value) =>
        ExchangeValues.StringsOf(value)
            .SelectMany(text => text.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
            .Select(AuthenticationMethodNames.Canonical)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();

    /// <summary>A value as text, through the one adapter (<see cref="ExchangeValues.TextOf"/>).</summary>
    internal static string? Text(object? value) => ExchangeValues.TextOf(value);

    /// <summary>The command as an admin would type it, for messages (<see cref="PowerShellText.CommandLine"/>).</summary>
    internal static string CommandText(string command, IEnumerable<(string Name, object? Value)> parameters) =>
        PowerShellText.CommandLine(command, parameters);

    /// <summary>One argument in PowerShell syntax (<see cref="PowerShellText.Argument"/>).</summary>
    internal static string Argument(object? value) => PowerShellText.Argument(value);

    private IReadOnlyList<PSObject> Run(ExchangeCommand command)
    {
        var output = new List<PSObject>();
        try
        {
            _runner.RunAsync(command, output.Add, null, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (ExchangeCommandException ex)
        {
            throw new RepairException("ExchangeCommandFailed", $"{CommandText(command)} failed: {ex.Reason}", ex.Record?.Exception ?? ex);
        }
        catch (ExchangeDataUnavailableException ex)
        {
            throw new RepairException("ExchangeCommandFailed", ex.Message, ex);
        }

        return output;
    }

    private static string CommandText(ExchangeCommand command) =>
        PowerShellText.CommandLine(command.Name, command.Parameters.Select(p => (p.Key, ReferenceEquals(p.Value, ExchangeCommand.SwitchPresent) ? (object?)true : p.Value)));
}
