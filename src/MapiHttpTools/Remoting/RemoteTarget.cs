using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace MapiHttpTools.Remoting;

/// <summary>
/// One computer to reach and the Invoke-Command parameters that reach it (issue 17): -ComputerName (WinRM, with
/// -Credential), -HostName (SSH, with -UserName/-KeyFilePath/-Port/-Options) or a PSSession the caller opened.
/// One Invoke-Command per computer, so that the throttle, the time bound and the error are each the computer's own.
/// </summary>
internal sealed class RemoteTarget
{
    private RemoteTarget(string name, IDictionary connection, Hashtable? parameters = null)
    {
        Name = name;
        Connection = connection;
        Parameters = parameters ?? new Hashtable();
    }

    /// <summary>The cmdlet's own parameters for this computer (paths are paths there).</summary>
    public Hashtable Parameters { get; }

    /// <summary>This target with the cmdlet parameters of the record that named it.</summary>
    public RemoteTarget With(Hashtable parameters) => new(Name, Connection, parameters);

    /// <summary>The computer as the admin named it: the target object of its errors, and Server of its results.</summary>
    public string Name { get; }

    /// <summary>The Invoke-Command parameters that pick the computer and transport, in a fixed order.</summary>
    public IDictionary Connection { get; }

    /// <param name="session">The open session.</param>
    /// <param name="name">How results and errors name the computer; default the session's computer name.</param>
    public static RemoteTarget ForSession(PSSession session, string? name = null) =>
        new(name ?? session.ComputerName, new OrderedDictionary { ["Session"] = session });

    /// <param name="computer">The name WinRM connects to.</param>
    /// <param name="credential">The account, or null for the caller's own.</param>
    /// <param name="name">How results and errors name the computer (an Exchange server's own name); default <paramref name="computer"/>.</param>
    public static RemoteTarget ForComputer(string computer, PSCredential? credential, string? name = null)
    {
        var connection = new OrderedDictionary { ["ComputerName"] = computer };
        if (credential is not null)
        {
            connection["Credential"] = credential;
        }

        return new RemoteTarget(name ?? computer, connection);
    }

    public static RemoteTarget ForSshHost(string hostName, SshOptions options)
    {
        var connection = new OrderedDictionary { ["HostName"] = hostName };
        if (options.UserName is not null)
        {
            connection["UserName"] = options.UserName;
        }

        if (options.KeyFilePath is not null)
        {
            connection["KeyFilePath"] = options.KeyFilePath;
        }

        if (options.Port is int port)
        {
            connection["Port"] = port;
        }

        if (options.Options is not null)
        {
            connection["Options"] = options.Options;
        }

        return new RemoteTarget(hostName, connection);
    }

    /// <summary>The targets the remoting parameters name, in the order given.</summary>
    public static IReadOnlyList<RemoteTarget> From(IEnumerable<string>? computers, PSCredential? credential, IEnumerable<string>? hosts, SshOptions ssh, IEnumerable<PSSession>? sessions)
    {
        var targets = new List<RemoteTarget>();
        foreach (string computer in computers ?? new string[0])
        {
            targets.Add(ForComputer(computer, credential));
        }

        foreach (string host in hosts ?? new string[0])
        {
            targets.Add(ForSshHost(host, ssh));
        }

        foreach (PSSession session in sessions ?? new PSSession[0])
        {
            targets.Add(ForSession(session));
        }

        return targets;
    }
}

/// <summary>Invoke-Command's SSH parameters, shared by every -HostName target of one call.</summary>
internal sealed class SshOptions
{
    public string? UserName { get; set; }

    public string? KeyFilePath { get; set; }

    public int? Port { get; set; }

    public Hashtable? Options { get; set; }
}
