using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using MapiHttpTools.Exchange;
using MapiHttpTools.Iis;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Kerberos;

/// <summary>
/// Gathers the facts of the authentication checks (issue 14; issue 12: gathering apart from judgement): the offline files
/// (setspn output, Export-Clixml of Get-ClientAccessService, applicationHost.config) and the live reads (the Exchange
/// cmdlets of the session, IIS on this server). A bad file throws <see cref="InputFileException"/> carrying the stable
/// error id, category and the path as given.
/// </summary>
internal static class AuthenticationFactReader
{
    /// <summary>The setspn output files, each parsed; the first that is missing or not setspn output stops the read.</summary>
    public static SetspnFileSource ReadSetspn(IReadOnlyList<(string Given, string Full)> paths)
    {
        var files = new List<(string, SetspnReport)>();
        foreach ((string given, string full) in paths)
        {
            try
            {
                files.Add((DisplayText.Safe(full), SetspnOutputParser.ReadFile(full)));
            }
            catch (FileNotFoundException)
            {
                throw new InputFileException("SetspnOutputNotFound", ErrorCategory.ObjectNotFound, given, $"The setspn output '{DisplayText.Safe(full)}' does not exist. Save it with: setspn -Q HTTP/<namespace> > spn.txt");
            }
            catch (SetspnFormatException ex)
            {
                throw new InputFileException("SetspnOutputInvalid", ErrorCategory.InvalidData, given, ex.Message);
            }
        }

        return new SetspnFileSource(files);
    }

    /// <summary>An Export-Clixml of Get-ClientAccessService -IncludeAlternateServiceAccountCredentialStatus.</summary>
    public static AsaInventory ReadClientAccessFile(string given, string full, CancellationToken cancellation)
    {
        try
        {
            return AlternateServiceAccountReader.ReadFile(full, cancellation);
        }
        catch (FileNotFoundException)
        {
            throw new InputFileException("ClientAccessServiceFileNotFound", ErrorCategory.ObjectNotFound, given, $"The Get-ClientAccessService export '{DisplayText.Safe(full)}' does not exist. Save it with: {AlternateServiceAccountReader.Command} | Export-Clixml cas.xml");
        }
        catch (InvalidDataException ex)
        {
            throw new InputFileException("ClientAccessServiceFileInvalid", ErrorCategory.InvalidData, given, ex.Message);
        }
    }

    /// <summary>Get-ClientAccessService -IncludeAlternateServiceAccountCredentialStatus through the session's Exchange cmdlets.</summary>
    public static AsaInventory ReadClientAccessLive(IExchangeCommandRunner runner, CancellationToken cancellation)
    {
        if (!runner.IsAvailable("Get-ClientAccessService"))
        {
            return AsaInventory.Unavailable("Get-ClientAccessService is not in this session (run in the Exchange Management Shell), and no -ClientAccessServicePath was given");
        }

        var servers = new List<ClientAccessAsaFacts>();
        try
        {
            // A $null in the output, or an object without a name, is not a server (a proxy function may write either).
            runner.RunAsync(
                new ExchangeCommand("Get-ClientAccessService").Switch("IncludeAlternateServiceAccountCredentialStatus"),
                o =>
                {
                    if (o is not null && (ExchangeValues.Text(o, "Name") ?? ExchangeValues.Text(o, "Fqdn")) is not null)
                    {
                        servers.Add(AlternateServiceAccountReader.Read(o));
                    }
                },
                null,
                cancellation).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException)
        {
            return AsaInventory.Unavailable(DisplayText.Safe(ex.Message));
        }

        return servers.Count == 0
            ? AsaInventory.Unavailable("Get-ClientAccessService returned no server")
            : new AsaInventory(servers, $"{AlternateServiceAccountReader.Command} (live)");
    }

    /// <summary>Every MAPI virtual directory through Get-MapiVirtualDirectory; empty when the cmdlet is not in the session.</summary>
    public static IReadOnlyList<VirtualDirectorySide> ReadVirtualDirectoriesLive(IExchangeCommandRunner runner, Action<string> warn, CancellationToken cancellation)
    {
        var directories = new List<VirtualDirectorySide>();
        if (!runner.IsAvailable("Get-MapiVirtualDirectory"))
        {
            return directories;
        }

        try
        {
            runner.RunAsync(new ExchangeCommand("Get-MapiVirtualDirectory"), o => directories.AddRange(o is null ? Array.Empty<VirtualDirectorySide>() : new[] { VirtualDirectory(
                ExchangeValues.Raw(o, "Identity"), ExchangeValues.Raw(o, "Server"), ExchangeValues.Raw(o, "InternalUrl"), ExchangeValues.Raw(o, "ExternalUrl"), ExchangeValues.Raw(o, "IISAuthenticationMethods")) }), null, cancellation)
                .GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException)
        {
            warn($"Get-MapiVirtualDirectory could not be read, so the namespaces and IISAuthenticationMethods go without it: {DisplayText.Safe(ex.Message)}");
        }

        return directories;
    }

    /// <summary>A virtual directory from its properties (piped or read); enums by name, URLs by their host.</summary>
    public static VirtualDirectorySide VirtualDirectory(object? identity, object? server, object? internalUrl, object? externalUrl, object? methods)
    {
        string[] names = ExchangeValues.StringsOf(methods).SelectMany(m => m.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Uri[] urls = new[] { ExchangeValues.TextOf(internalUrl), ExchangeValues.TextOf(externalUrl) }
            .Select(u => u is not null && Uri.TryCreate(u.Trim(), UriKind.Absolute, out Uri? uri) && uri.Scheme is "https" or "http" && uri.Host.Length > 0 ? uri : null)
            .Where(u => u is not null).Select(u => u!).ToArray();
        return new VirtualDirectorySide(
            ExchangeValues.TextOf(identity),
            ExchangeValues.TextOf(server),
            names.Length == 0 ? null : names,
            urls.Select(u => u.Host).Distinct(StringComparer.OrdinalIgnoreCase).ToArray())
        {
            Urls = urls,
        };
    }

    /// <summary>/mapi's security from an applicationHost.config copy.</summary>
    public static IisSide ReadIisFile(string given, string full, string? server, CancellationToken cancellation)
    {
        try
        {
            ApplicationHostConfigFile file = ApplicationHostConfigFile.Load(full, cancellation);
            return new IisSide(server, file.Path, file.GetSecurity(MapiAuthenticationChecks.MapiLocation));
        }
        catch (FileNotFoundException ex)
        {
            throw new InputFileException("ConfigurationFileNotFound", ErrorCategory.ObjectNotFound, given, ex.Message);
        }
        catch (IisConfigurationException ex)
        {
            throw new InputFileException("ConfigurationFileInvalid", ErrorCategory.InvalidData, given, ex.Message);
        }
    }

    /// <summary>/mapi's security from IIS on <paramref name="computer"/> (null: this one), or why it cannot be read.</summary>
    public static IisSide ReadIisLive(string? server, string? computer)
    {
        // Another server's IIS is read on that server (issue 17: remoting is the one way to other machines, and
        // ServerManager.OpenRemote is gone): the comparison there goes without the IIS side, and says how to get it.
        if (computer is not null)
        {
            return new IisSide(server, "live IIS", null,
                $"IIS of {DisplayText.Safe(server ?? computer)} is read on that server: run Test-MapiHttpAuthentication there (Invoke-Command -ComputerName {DisplayText.Safe(computer)} {{ Test-MapiHttpAuthentication }})");
        }

        if (LiveIisConfigurationSource.UnavailableReason() is { } reason)
        {
            return new IisSide(server, "live IIS", null, reason);
        }

        try
        {
            using LiveIisConfigurationSource source = LiveIisConfigurationSource.Open();
            return new IisSide(server ?? source.MachineName, source.Description, source.GetSecurity(MapiAuthenticationChecks.MapiLocation));
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            return new IisSide(server, "live IIS", null, $"IIS could not be read: {DisplayText.Safe(ex.Message)}");
        }
    }
}
