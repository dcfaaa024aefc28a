using System.Collections.Generic;

namespace MapiHttpTools.Repair;

/// <summary>
/// The Exchange side of a repair: the Exchange cmdlets of the caller's session (Exchange Management Shell, or a
/// remote Exchange session imported into it). Every method runs on the pipeline thread. A failed command throws
/// <see cref="RepairException"/> with the command's own error message.
/// </summary>
internal interface IExchangeRepairClient
{
    /// <summary>Which of <paramref name="commands"/> the session does not have.</summary>
    IReadOnlyList<string> MissingCommands(IEnumerable<string> commands);

    /// <summary>Get-MapiVirtualDirectory -Identity X (or -Server X) -ADPropertiesOnly.</summary>
    IReadOnlyList<VirtualDirectoryFacts> GetVirtualDirectories(string? server, string? identity);

    /// <summary>(Get-OrganizationConfig).MapiHttpEnabled.</summary>
    bool GetOrganizationMapiHttpEnabled();

    /// <summary>Set-OrganizationConfig -MapiHttpEnabled value.</summary>
    void SetOrganizationMapiHttpEnabled(bool value);

    /// <summary>Set-MapiVirtualDirectory -Identity identity -InternalUrl/-ExternalUrl value.</summary>
    void SetVirtualDirectoryUrl(string identity, string parameter, string? url);

    /// <summary>Set-MapiVirtualDirectory -Identity identity -IISAuthenticationMethods methods.</summary>
    void SetVirtualDirectoryAuthentication(string identity, IReadOnlyList<string> methods);

    /// <summary>Remove-MapiVirtualDirectory -Identity identity -Confirm:$false.</summary>
    void RemoveVirtualDirectory(string identity);

    /// <summary>New-MapiVirtualDirectory -Server ... -InternalUrl ... -ExternalUrl ... -IISAuthenticationMethods ...</summary>
    void NewVirtualDirectory(NewVirtualDirectorySpec spec);
}
