using System;
using System.Management.Automation;
using System.Threading;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Snapshot;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Commands;

/// <summary>What the cmdlets that read Exchange share: opening a snapshot, naming piped objects, validating -ResultSize.</summary>
internal static class ExchangeCommandSupport
{
    /// <summary>Opens -SnapshotPath; a missing, foreign, damaged or newer file ends the command with its error id.</summary>
    public static SnapshotDocument LoadSnapshot(PSCmdlet cmdlet, string snapshotPath, CancellationToken cancellation)
    {
        string path = cmdlet.GetUnresolvedProviderPathFromPSPath(snapshotPath);
        try
        {
            return SnapshotDocument.Load(path, cancellation);
        }
        catch (SnapshotException ex)
        {
            ErrorCategory category = ex.ErrorId == "SnapshotNotFound" ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidData;
            cmdlet.ThrowTerminatingError(ErrorRecords.Create(ex.ErrorId, category, snapshotPath, DisplayText.Safe(ex.Message, 1024), ex));
            throw;
        }
        catch (InputFileException ex)
        {
            cmdlet.ThrowTerminatingError(ex.ToErrorRecord());
            throw;
        }
    }

    /// <summary>
    /// The identity of a piped or given object: its Identity property (a mailbox from Get-Mailbox, a row of a CSV),
    /// or the object itself as text ('alice@contoso.com').
    /// </summary>
    public static string? IdentityText(object? value)
    {
        if (value is null)
        {
            return null;
        }

        PSObject pso = PSObject.AsPSObject(value);
        if (pso.BaseObject is not string && pso.Properties["Identity"] is not null)
        {
            return ExchangeValues.Text(pso, "Identity");
        }

        return ExchangeValues.TextOf(value);
    }
}

/// <summary>-ResultSize as Exchange takes it: Unlimited or a positive number.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ValidateResultSizeAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        string? text = ExchangeValues.TextOf(arguments);
        if (text is not null && (string.Equals(text, "Unlimited", StringComparison.OrdinalIgnoreCase) ||
                                 (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int size) && size > 0)))
        {
            return;
        }

        throw new ValidationMetadataException($"'{text}' is not a result size: give Unlimited or a number greater than 0 (Exchange's default is 1000).");
    }
}
