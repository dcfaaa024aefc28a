using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using MapiHttpTools.Iis;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Repair;

/// <summary>
/// IIS changes through Microsoft.Web.Administration, bound at run time from %windir%\System32\inetsrv (as
/// <see cref="LiveIisConfigurationSource"/> reads it). Another server is opened with ServerManager.OpenRemote; its
/// iisreset runs as "iisreset SERVER /noforce". Every write is committed at once, so a failure later in the plan
/// leaves the earlier changes in place and reported.
/// </summary>
internal sealed class LiveIisRepairTarget : IIisRepairTarget
{
    private const string ServerManagerType = "Microsoft.Web.Administration.ServerManager";
    private const string AuthenticationSections = "system.webServer/security/authentication/";

    private readonly object _serverManager;
    private readonly string? _remoteName;

    private LiveIisRepairTarget(object serverManager, string? remoteName)
    {
        _serverManager = serverManager;
        _remoteName = remoteName;
    }

    public string Description => $"live IIS on {_remoteName ?? Environment.MachineName}";

    /// <summary>Opens IIS of <paramref name="server"/> (this computer when the name is its own).</summary>
    public static LiveIisRepairTarget Open(string server)
    {
        Assembly assembly = Assembly.LoadFrom(LiveIisConfigurationSource.AssemblyPath);
        Type type = assembly.GetType(ServerManagerType, throwOnError: true)!;
        string? remote = IsThisComputer(server) ? null : server;
        object manager = remote is null ? Activator.CreateInstance(type)! : LateBound.CallStatic(type, "OpenRemote", remote)!;
        return new LiveIisRepairTarget(manager, remote);
    }

    /// <summary>True when <paramref name="server"/> names this computer (short name or FQDN, any case).</summary>
    public static bool IsThisComputer(string server)
    {
        string name = server.Trim();
        return name.Length == 0
            || name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.Equals(".", StringComparison.Ordinal)
            || RepairScope.ShortName(name).Equals(Environment.MachineName, StringComparison.OrdinalIgnoreCase);
    }

    public IisAuthenticationFacts ReadAuthentication(string location)
    {
        object windows = Section(AuthenticationSections + RepairScope.WindowsAuthenticationSection, location);
        object anonymous = Section(AuthenticationSections + RepairScope.AnonymousAuthenticationSection, location);
        var providers = new List<string>();
        object? collection = Invoke(windows, "GetCollection", "providers");
        foreach (object provider in LateBound.Items(collection))
        {
            string? value = LateBound.Text(Invoke(provider, "GetAttributeValue", "value"));
            if (!string.IsNullOrEmpty(value))
            {
                providers.Add(value!);
            }
        }

        return new IisAuthenticationFacts(
            Convert.ToBoolean(Invoke(windows, "GetAttributeValue", "enabled"), CultureInfo.InvariantCulture),
            Convert.ToBoolean(Invoke(anonymous, "GetAttributeValue", "enabled"), CultureInfo.InvariantCulture),
            providers);
    }

    public void SetAuthenticationEnabled(string location, string section, bool enabled)
    {
        object element = Section(AuthenticationSections + section, location);
        Invoke(element, "SetAttributeValue", "enabled", enabled);
        Invoke(_serverManager, "CommitChanges");
    }

    public string? GetAppPoolState(string pool)
    {
        object? found = FindPool(pool);
        return found is null ? null : LateBound.Text(LateBound.Get(found, "State"));
    }

    public void StartAppPool(string pool) => Invoke(RequirePool(pool), "Start");

    public void StopAppPool(string pool) => Invoke(RequirePool(pool), "Stop");

    public void RecycleAppPool(string pool) => Invoke(RequirePool(pool), "Recycle");

    public void ResetIis(CancellationToken cancellation)
    {
        string exe = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.System), "iisreset.exe");
        var start = new ProcessStartInfo(exe, _remoteName is null ? "/noforce" : $"{_remoteName} /noforce")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{exe} did not start.");
        System.Threading.Tasks.Task<string> output = process.StandardOutput.ReadToEndAsync();
        System.Threading.Tasks.Task<string> errors = process.StandardError.ReadToEndAsync();
        while (!process.WaitForExit(250))
        {
            // iisreset is not killed on a stop: a half-done reset is worse than a finished one.
            cancellation.ThrowIfCancellationRequested();
        }

        if (process.ExitCode != 0)
        {
            string text = (output.Result + " " + errors.Result).Trim();
            throw new InvalidOperationException($"iisreset ended with exit code {process.ExitCode}: {text}");
        }
    }

    public void Dispose() => (_serverManager as IDisposable)?.Dispose();

    private object Section(string sectionPath, string location)
    {
        object configuration = Invoke(_serverManager, "GetApplicationHostConfiguration")
            ?? throw new InvalidOperationException("ServerManager returned no applicationHost configuration.");
        return Invoke(configuration, "GetSection", sectionPath, location)
            ?? throw new InvalidOperationException($"IIS returned no {sectionPath} section for {location}.");
    }

    private object? FindPool(string name) =>
        LateBound.Items(LateBound.Get(_serverManager, "ApplicationPools"))
            .FirstOrDefault(p => string.Equals((string?)LateBound.Get(p, "Name"), name, StringComparison.OrdinalIgnoreCase));

    private object RequirePool(string name) =>
        FindPool(name) ?? throw new InvalidOperationException($"The application pool {name} does not exist.");

    /// <summary>Calls a public instance method by name and argument count (parameters typed object take any value).</summary>
    private static object? Invoke(object target, string method, params object?[] arguments)
    {
        MethodInfo info = target.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name == method)
            .Select(m => (Method: m, Parameters: m.GetParameters()))
            .Where(m => m.Parameters.Length == arguments.Length
                && m.Parameters.Zip(arguments, (p, a) => a is null ? !p.ParameterType.IsValueType : p.ParameterType.IsInstanceOfType(a)).All(ok => ok))
            .Select(m => m.Method)
            .FirstOrDefault()
            ?? throw new MissingMethodException(target.GetType().FullName, method);
        try
        {
            return info.Invoke(target, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }
}

/// <summary>Opens the IIS target of a server: the test seam when set, else live IIS where this platform has it.</summary>
internal static class IisRepairTargets
{
    /// <summary>The target, or null with the reason IIS cannot be changed from here (the IIS steps are then Skipped).</summary>
    public static IIisRepairTarget? Open(string server, ModuleServices services, out string? unavailableReason)
    {
        unavailableReason = null;
        try
        {
            if (services.IisRepairTargetFactory is { } factory)
            {
                return factory(server);
            }

            if (LiveIisConfigurationSource.UnavailableReason() is string reason)
            {
                unavailableReason = reason;
                return null;
            }

            return LiveIisRepairTarget.Open(server);
        }
        catch (IisUnavailableException ex)
        {
            unavailableReason = ex.Message;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or System.Runtime.InteropServices.COMException or IOException or BadImageFormatException
            or TypeLoadException or MissingMemberException or InvalidOperationException)
        {
            unavailableReason = $"IIS of {server} could not be opened: {ex.Message}";
        }

        return null;
    }
}
