using System;
using System.Management.Automation;

namespace MapiHttpTools.ClientState;

/// <summary>
/// A problem the client-state engine cannot get past (bad input, a source that cannot be reached), carrying the
/// stable error id, category and target the cmdlet turns into its error record.
/// </summary>
internal sealed class ClientStateException : Exception
{
    public ClientStateException(string errorId, ErrorCategory category, object? target, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Category = category;
        Target = target;
    }

    public string ErrorId { get; }

    public ErrorCategory Category { get; }

    public object? Target { get; }
}

/// <summary>The error ids of the client-state cmdlets (a contract: scripts and tests match FullyQualifiedErrorId).</summary>
internal static class ClientStateErrorIds
{
    public const string RegistryExportInvalid = "RegistryExportInvalid";
    public const string RegistryExportNotFound = "RegistryExportNotFound";
    public const string RegistryExportAmbiguousUser = "RegistryExportAmbiguousUser";
    public const string ClientStateUnavailableOnPlatform = "ClientStateUnavailableOnPlatform";
    public const string AutodiscoverCachePathNotFound = "AutodiscoverCachePathNotFound";
    public const string ComputerNameRequiresUserSid = "ComputerNameRequiresUserSid";
    public const string InvalidUserSid = "InvalidUserSid";
    public const string UserHiveNotLoaded = "UserHiveNotLoaded";
    public const string RegistryAccessDenied = "RegistryAccessDenied";
    public const string OfflineRepairNotSupported = "OfflineRepairNotSupported";
    public const string RegistryWriteFailed = "RegistryWriteFailed";
    public const string BackupFailed = "BackupFailed";
    public const string AutodiscoverCacheMoveFailed = "AutodiscoverCacheMoveFailed";
    public const string CredentialDeleteFailed = "CredentialDeleteFailed";
}
