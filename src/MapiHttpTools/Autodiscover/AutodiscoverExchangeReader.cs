using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using MapiHttpTools.Exchange;

namespace MapiHttpTools.Autodiscover;

/// <summary>
/// Exchange's side of Test-MapiHttpAutodiscover (issue 14), where the Exchange cmdlets are in the session: the SCP URLs
/// Outlook tries first (Get-ClientAccessService AutoDiscoverServiceInternalUri), the MAPI virtual directories' URLs the
/// answer must carry, and the organisation's and mailbox's MapiHttpEnabled that tell which one turned MAPI/HTTP off.
/// Each read is on its own: a missing cmdlet or a failed read leaves that part null and says so in a warning.
/// </summary>
internal sealed class AutodiscoverExchangeReader
{
    private readonly IExchangeCommandRunner _runner;
    private readonly Action<string> _warn;
    private readonly CancellationToken _cancellation;
    private bool? _organization;
    private bool _organizationRead;

    public AutodiscoverExchangeReader(IExchangeCommandRunner runner, Action<string> warn, CancellationToken cancellation)
    {
        _runner = runner;
        _warn = warn;
        _cancellation = cancellation;
    }

    /// <summary>AutoDiscoverServiceInternalUri of every Client Access service: the SCP.</summary>
    public IReadOnlyList<string> ScpUrls() =>
        Read(new ExchangeCommand("Get-ClientAccessService"), o => ExchangeValues.Text(o, "AutoDiscoverServiceInternalUri"))?.OfType<string>().ToArray() ?? Array.Empty<string>();

    /// <summary>Every MAPI virtual directory's URLs; null when Get-MapiVirtualDirectory is not available.</summary>
    public IReadOnlyList<MapiVirtualDirectoryUrls>? VirtualDirectories() =>
        Read(new ExchangeCommand("Get-MapiVirtualDirectory"), o => new MapiVirtualDirectoryUrls(
            ExchangeValues.Text(o, "Identity") ?? "(unnamed)", ExchangeValues.Text(o, "InternalUrl"), ExchangeValues.Text(o, "ExternalUrl")));

    /// <summary>The organisation's and the mailbox's MAPI settings for <paramref name="emailAddress"/>; null when neither can be read.</summary>
    public MapiHttpConfiguration? Configuration(string emailAddress)
    {
        if (!_organizationRead)
        {
            _organizationRead = true;
            _organization = Read(new ExchangeCommand("Get-OrganizationConfig"), o => ExchangeValues.Bool(o, "MapiHttpEnabled"))?.FirstOrDefault();
        }

        var mailbox = Read(new ExchangeCommand("Get-CASMailbox").With("Identity", emailAddress), o => new
        {
            Identity = ExchangeValues.Text(o, "Identity"),
            MapiHttp = ExchangeValues.Bool(o, "MapiHttpEnabled"),
            Mapi = ExchangeValues.Bool(o, "MAPIEnabled"),
        })?.FirstOrDefault();
        if (mailbox is null && _organization is null)
        {
            return null;
        }

        return new MapiHttpConfiguration(_organization, mailbox?.MapiHttp, mailbox?.Mapi, mailbox?.Identity);
    }

    private List<T>? Read<T>(ExchangeCommand command, Func<PSObject, T> project)
    {
        if (!_runner.IsAvailable(command.Name))
        {
            return null;
        }

        var items = new List<T>();
        try
        {
            _runner.RunAsync(command, o => items.Add(project(o)), null, _cancellation).GetAwaiter().GetResult();
            return items;
        }
        catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException)
        {
            _warn($"{command} could not be read, so the judgement goes without it: {Infrastructure.DisplayText.Safe(ex.Message)}");
            return null;
        }
    }
}
