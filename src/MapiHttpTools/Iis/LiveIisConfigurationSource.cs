using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;

namespace MapiHttpTools.Iis;

/// <summary>
/// IIS facts from the running server through Microsoft.Web.Administration, loaded from
/// %windir%\System32\inetsrv at run time (the package registry does not serve it; IIS hosts have it).
/// This computer only: other servers run Get-MapiAppPoolHealth themselves through PowerShell remoting (issue 17),
/// which replaced ServerManager.OpenRemote.
/// </summary>
internal sealed class LiveIisConfigurationSource : IIisConfigurationSource, IDisposable
{
    private const string ServerManagerType = "Microsoft.Web.Administration.ServerManager";

    private readonly object _serverManager;
    private readonly object _appHostConfiguration;

    private LiveIisConfigurationSource(object serverManager)
    {
        _serverManager = serverManager;
        MachineName = Environment.MachineName;
        _appHostConfiguration = LateBound.Call(_serverManager, "GetApplicationHostConfiguration")
            ?? throw new InvalidOperationException("ServerManager returned no applicationHost configuration.");
    }

    public string Description => $"live IIS on {MachineName}";

    public string? MachineName { get; }

    /// <summary>The assembly path on this machine: %windir%\System32\inetsrv\Microsoft.Web.Administration.dll.</summary>
    public static string AssemblyPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.Windows), "System32", "inetsrv", "Microsoft.Web.Administration.dll");

    /// <summary>Null when IIS can be read here; otherwise why not (not Windows, IIS management not installed).</summary>
    public static string? UnavailableReason()
    {
        if (Environment.OSVersion.Platform != PlatformID.Win32NT)
        {
            return $"IIS can only be read live on Windows; this is {Environment.OSVersion.Platform}";
        }

        return File.Exists(AssemblyPath)
            ? null
            : $"{AssemblyPath} does not exist: IIS (or its management components) is not installed on this computer";
    }

    /// <summary>Opens this computer's IIS configuration.</summary>
    public static LiveIisConfigurationSource Open()
    {
        Assembly assembly = Assembly.LoadFrom(AssemblyPath);
        Type type = assembly.GetType(ServerManagerType, throwOnError: true)!;
        object manager;
        try
        {
            manager = Activator.CreateInstance(type)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }

        try
        {
            return new LiveIisConfigurationSource(manager);
        }
        catch
        {
            (manager as IDisposable)?.Dispose();
            throw;
        }
    }

    public AppPoolConfig? GetApplicationPool(string name)
    {
        object? pool = FindPool(name);
        if (pool is null)
        {
            return null;
        }

        object processModel = LateBound.Get(pool, "ProcessModel")!;
        object periodicRestart = LateBound.Get(LateBound.Get(pool, "Recycling")!, "PeriodicRestart")!;
        object failure = LateBound.Get(pool, "Failure")!;
        var schedule = LateBound.Items(LateBound.Get(periodicRestart, "Schedule"))
            .Select(s => (TimeSpan)LateBound.Get(s, "Time")!)
            .ToArray();
        string identity = LateBound.Text(LateBound.Get(processModel, "IdentityType")) ?? string.Empty;
        return new AppPoolConfig(
            Name: (string)LateBound.Get(pool, "Name")!,
            AutoStart: (bool)LateBound.Get(pool, "AutoStart")!,
            ManagedRuntimeVersion: LateBound.Text(LateBound.Get(pool, "ManagedRuntimeVersion")) ?? string.Empty,
            ManagedPipelineMode: LateBound.Text(LateBound.Get(pool, "ManagedPipelineMode")) ?? string.Empty,
            IdentityType: identity,
            // Only the account name; the password is never read.
            UserName: identity == "SpecificUser" ? LateBound.Text(LateBound.Get(processModel, "UserName")) : null,
            IdleTimeout: (TimeSpan)LateBound.Get(processModel, "IdleTimeout")!,
            PeriodicRestartTime: (TimeSpan)LateBound.Get(periodicRestart, "Time")!,
            PeriodicRestartMemory: Convert.ToInt64(LateBound.Get(periodicRestart, "Memory"), CultureInfo.InvariantCulture),
            PeriodicRestartPrivateMemory: Convert.ToInt64(LateBound.Get(periodicRestart, "PrivateMemory"), CultureInfo.InvariantCulture),
            PeriodicRestartRequests: Convert.ToInt64(LateBound.Get(periodicRestart, "Requests"), CultureInfo.InvariantCulture),
            PeriodicRestartSchedule: schedule,
            RapidFailProtection: (bool)LateBound.Get(failure, "RapidFailProtection")!,
            QueueLength: Convert.ToInt64(LateBound.Get(pool, "QueueLength"), CultureInfo.InvariantCulture),
            ClrConfigFile: OptionalAttribute(pool, "CLRConfigFile"));
    }

    public ApplicationConfig? GetApplication(string siteName, string applicationPath)
    {
        object? site = FindSite(siteName);
        if (site is null)
        {
            return null;
        }

        object? application = LateBound.Items(LateBound.Get(site, "Applications"))
            .FirstOrDefault(a => string.Equals(((string?)LateBound.Get(a, "Path"))?.TrimEnd('/'), applicationPath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
        return application is null ? null : ToApplication(site, application);
    }

    public IReadOnlyList<ApplicationConfig> GetApplications() =>
        LateBound.Items(LateBound.Get(_serverManager, "Sites"))
            .SelectMany(site => LateBound.Items(LateBound.Get(site, "Applications")).Select(a => ToApplication(site, a)))
            .ToArray();

    public SiteConfig? GetSite(string siteName)
    {
        object? site = FindSite(siteName);
        if (site is null)
        {
            return null;
        }

        var bindings = new List<SiteBinding>();
        foreach (object binding in LateBound.Items(LateBound.Get(site, "Bindings")))
        {
            string protocol = LateBound.Text(LateBound.Get(binding, "Protocol")) ?? string.Empty;
            string information = LateBound.Text(LateBound.Get(binding, "BindingInformation")) ?? string.Empty;
            string? hash = null;
            string? store = null;
            if (string.Equals(protocol, "https", StringComparison.OrdinalIgnoreCase))
            {
                // Binding.CertificateHash asks HTTP.sys for the certificate bound to this endpoint.
                if (LateBound.Get(binding, "CertificateHash") is byte[] bytes && bytes.Length > 0)
                {
                    hash = string.Concat(bytes.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));
                }

                store = LateBound.Text(LateBound.Get(binding, "CertificateStoreName"));
            }

            bindings.Add(new SiteBinding(protocol, information, CertificateKnown: true, hash, string.IsNullOrEmpty(store) ? null : store));
        }

        return new SiteConfig(
            (string)LateBound.Get(site, "Name")!,
            Convert.ToInt64(LateBound.Get(site, "Id"), CultureInfo.InvariantCulture),
            (bool)LateBound.Get(site, "ServerAutoStart")!,
            bindings);
    }

    public LocationSecurity GetSecurity(string locationPath)
    {
        const string auth = "system.webServer/security/authentication/";
        bool Enabled(string section) => Convert.ToBoolean(LateBound.Call(Section(auth + section, locationPath), "GetAttributeValue", "enabled"), CultureInfo.InvariantCulture);

        object windows = Section(auth + "windowsAuthentication", locationPath);
        object extendedProtection = LateBound.Call(windows, "GetChildElement", "extendedProtection")!;
        object? sslFlags = LateBound.Call(Section("system.webServer/security/access", locationPath), "GetAttributeValue", "sslFlags");
        object? tokenChecking = LateBound.Call(extendedProtection, "GetAttributeValue", "tokenChecking");
        object? flags = LateBound.Call(extendedProtection, "GetAttributeValue", "flags");

        return new LocationSecurity(
            Location: locationPath,
            WindowsAuthentication: Enabled("windowsAuthentication"),
            AnonymousAuthentication: Enabled("anonymousAuthentication"),
            BasicAuthentication: Enabled("basicAuthentication"),
            DigestAuthentication: Enabled("digestAuthentication"),
            // Enum and flag attributes come back as their schema numbers.
            SslFlags: sslFlags is int sslValue ? IisFlags.FormatSslFlags(sslValue) : IisFlags.NormalizeSslFlags(LateBound.Text(sslFlags)),
            ExtendedProtectionTokenChecking: IisFlags.NormalizeTokenChecking(LateBound.Text(tokenChecking)),
            ExtendedProtectionFlags: flags is int flagValue ? IisFlags.FormatExtendedProtectionFlags(flagValue) : IisFlags.NormalizeExtendedProtectionFlags(LateBound.Text(flags)))
        {
            // The effective providers collection, in order, as Microsoft.Web.Administration merges it (issue 14).
            WindowsAuthenticationProviders = LateBound.Items(LateBound.Call(windows, "GetCollection", "providers"))
                .Select(p => LateBound.Text(LateBound.Call(p, "GetAttributeValue", "value")))
                .Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToArray(),
            UseKernelMode = Convert.ToBoolean(LateBound.Call(windows, "GetAttributeValue", "useKernelMode"), CultureInfo.InvariantCulture),
            UseAppPoolCredentials = Convert.ToBoolean(LateBound.Call(windows, "GetAttributeValue", "useAppPoolCredentials"), CultureInfo.InvariantCulture),
        };
    }

    public RuntimeFacts GetApplicationPoolRuntime(string name)
    {
        object? pool = FindPool(name);
        if (pool is null)
        {
            return RuntimeFacts.Unknown($"the pool {name} does not exist");
        }

        try
        {
            string? state = LateBound.Text(LateBound.Get(pool, "State"));
            var processes = new List<WorkerProcessFacts>();
            foreach (object process in LateBound.Items(LateBound.Get(pool, "WorkerProcesses")))
            {
                int id = Convert.ToInt32(LateBound.Get(process, "ProcessId"), CultureInfo.InvariantCulture);
                processes.Add(new WorkerProcessFacts(id, LateBound.Text(LateBound.Get(process, "State")), StartTime(id)));
            }

            return new RuntimeFacts(true, state, processes, null);
        }
        catch (Exception ex) when (ex is System.Runtime.InteropServices.COMException or UnauthorizedAccessException or InvalidOperationException)
        {
            return RuntimeFacts.ReadFailed($"the state of {name} could not be read from the Windows Process Activation Service: {ex.Message}");
        }
    }

    public RuntimeFacts GetSiteRuntime(string siteName)
    {
        object? site = FindSite(siteName);
        if (site is null)
        {
            return RuntimeFacts.Unknown($"the site {siteName} does not exist");
        }

        try
        {
            return new RuntimeFacts(true, LateBound.Text(LateBound.Get(site, "State")), null, null);
        }
        catch (Exception ex) when (ex is System.Runtime.InteropServices.COMException or UnauthorizedAccessException or InvalidOperationException)
        {
            return RuntimeFacts.ReadFailed($"the state of site {siteName} could not be read: {ex.Message}");
        }
    }

    public void Dispose() => (_serverManager as IDisposable)?.Dispose();

    private object Section(string sectionPath, string locationPath) =>
        LateBound.Call(_appHostConfiguration, "GetSection", sectionPath, locationPath)
        ?? throw new InvalidOperationException($"IIS returned no {sectionPath} section for {locationPath}.");

    private object? FindPool(string name) =>
        LateBound.Items(LateBound.Get(_serverManager, "ApplicationPools"))
            .FirstOrDefault(p => string.Equals((string?)LateBound.Get(p, "Name"), name, StringComparison.OrdinalIgnoreCase));

    private object? FindSite(string name) =>
        LateBound.Items(LateBound.Get(_serverManager, "Sites"))
            .FirstOrDefault(s => string.Equals((string?)LateBound.Get(s, "Name"), name, StringComparison.OrdinalIgnoreCase));

    private static ApplicationConfig ToApplication(object site, object application)
    {
        object? root = LateBound.Items(LateBound.Get(application, "VirtualDirectories"))
            .FirstOrDefault(v => (string?)LateBound.Get(v, "Path") == "/");
        string? pool = LateBound.Text(LateBound.Get(application, "ApplicationPoolName"));
        return new ApplicationConfig(
            (string)LateBound.Get(site, "Name")!,
            (string?)LateBound.Get(application, "Path") ?? "/",
            string.IsNullOrEmpty(pool) ? null : pool,
            root is null ? null : LateBound.Text(LateBound.Get(root, "PhysicalPath")));
    }

    private static string? OptionalAttribute(object element, string name)
    {
        try
        {
            return LateBound.Text(LateBound.Call(element, "GetAttributeValue", name));
        }
        catch (System.Runtime.InteropServices.COMException)
        {
            // Older IIS schemas do not know the attribute; it only helps to name the install folder.
            return null;
        }
    }

    private static DateTime? StartTime(int processId)
    {
        try
        {
            using Process process = Process.GetProcessById(processId);
            return process.StartTime;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // The process ended in between, or this account may not read its start time: leave it unknown.
            return null;
        }
    }
}
