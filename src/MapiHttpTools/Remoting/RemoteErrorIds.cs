namespace MapiHttpTools.Remoting;

/// <summary>The error ids of the remoting fan-out (issue 17): a contract scripts and tests read through FullyQualifiedErrorId.</summary>
internal static class RemoteErrorIds
{
    /// <summary>The connection could not be made (refused, unknown host, authentication, broken session).</summary>
    public const string RemoteConnectionFailed = "RemoteConnectionFailed";

    /// <summary>The computer answered but has no MapiHttpTools module installed.</summary>
    public const string RemoteModuleMissing = "RemoteModuleMissing";

    /// <summary>The remote module is so old that it lacks the cmdlet.</summary>
    public const string RemoteCommandMissing = "RemoteCommandMissing";

    /// <summary>The computer did not finish within -TimeoutSec; its job was stopped.</summary>
    public const string RemoteTimeout = "RemoteTimeout";

    /// <summary>The remote cmdlet stopped with a terminating error.</summary>
    public const string RemoteCommandFailed = "RemoteCommandFailed";

    /// <summary>-Session was given and no session is for this computer (by its name or FQDN): it was not contacted.</summary>
    public const string RemoteSessionMissing = "RemoteSessionMissing";

    /// <summary>Two ways to name the computers (-ComputerName, -HostName, -Session) were given together.</summary>
    public const string RemotingTargetsAmbiguous = "RemotingTargetsAmbiguous";
}
