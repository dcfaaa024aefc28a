using System;
using System.Management.Automation;

namespace MapiHttpTools.Exchange;

/// <summary>An Exchange cmdlet reported an error (the server was unreachable, the object does not exist, access denied).</summary>
internal sealed class ExchangeCommandException : Exception
{
    public ExchangeCommandException(string command, string message, ErrorRecord? record, Exception? inner = null)
        : base(message, inner)
    {
        Command = command;
        Record = record;
    }

    /// <summary>The command line that failed, as it would be typed ("Get-ExchangeCertificate -Server 'EX02'").</summary>
    public string Command { get; }

    /// <summary>Exchange's own error record, when there was one.</summary>
    public ErrorRecord? Record { get; }

    /// <summary>Exchange's own words, without the command this module puts in front of them.</summary>
    public string Reason => Record?.Exception?.Message ?? InnerException?.Message ?? Message;
}

/// <summary>A fact cannot be had from this source: the cmdlet is not in the session (RBAC), or the snapshot lacks it.</summary>
internal sealed class ExchangeDataUnavailableException : Exception
{
    public ExchangeDataUnavailableException(string message)
        : base(message)
    {
    }
}

/// <summary>Exchange returned something that is not the object this module reads.</summary>
internal sealed class ExchangeDataException : Exception
{
    public ExchangeDataException(string message)
        : base(message)
    {
    }
}
