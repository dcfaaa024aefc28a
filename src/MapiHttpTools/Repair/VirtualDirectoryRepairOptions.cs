using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace MapiHttpTools.Repair;

/// <summary>
/// Where the server repair reports to (issue 12: the cmdlet stays thin): its ShouldProcess, output, warning,
/// verbose and error streams, and the pump that runs the verification probe with writes on the pipeline thread.
/// </summary>
internal interface IVirtualDirectoryRepairSink
{
    /// <summary>Asks ShouldProcess; says whether the change was approved, printed under -WhatIf, or declined.</summary>
    RepairApproval Confirm(string description, string caption);

    void Result(MapiRepairResult result);

    void Warning(string text);

    void Verbose(string text);

    /// <summary>A non-terminating error for one server or input.</summary>
    void Error(RepairException error);

    /// <summary>Runs async work to its end; the cmdlet's stop cancels the token.</summary>
    void Run(Func<CancellationToken, Task> work);
}

/// <summary>What Repair-MapiVirtualDirectory was asked on its command line.</summary>
internal sealed class VirtualDirectoryRepairOptions
{
    public string? InternalUrl { get; init; }

    public string? ExternalUrl { get; init; }

    public IReadOnlyList<string>? AuthenticationMethods { get; init; }

    public bool EnableOrganization { get; init; }

    public bool ResetIisAuthentication { get; init; }

    public bool StartAppPools { get; init; }

    public bool RestartAppPools { get; init; }

    public bool Recreate { get; init; }

    public bool Force { get; init; }

    public bool ResetIis { get; init; }

    public bool SkipVerify { get; init; }

    /// <summary>-WhatIf is in effect: nothing is changed, nothing is backed up, nothing is verified (issue 11).</summary>
    public bool WhatIf { get; init; }

    /// <summary>The folder backups are written to (-BackupPath, else the module's default).</summary>
    public string BackupFolder { get; init; } = string.Empty;

    public void ApplyTo(RepairRequest request)
    {
        if (InternalUrl is not null)
        {
            request.InternalUrl = InternalUrl;
        }

        if (ExternalUrl is not null)
        {
            request.ExternalUrl = ExternalUrl;
        }

        if (AuthenticationMethods is not null)
        {
            request.AddAuthenticationMethods(AuthenticationMethods);
        }

        request.EnableOrganization |= EnableOrganization;
        request.ResetIisAuthentication |= ResetIisAuthentication;
        foreach (string pool in RepairScope.Pools)
        {
            if (StartAppPools)
            {
                request.StartPools.Add(pool);
            }

            if (RestartAppPools)
            {
                request.RestartPools.Add(pool);
            }
        }

        request.Recreate = Recreate;
        request.ResetIis = ResetIis;
    }
}
