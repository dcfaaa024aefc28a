using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading;
using System.Xml;
using System.Xml.Linq;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Infrastructure.Clixml;

namespace MapiHttpTools.Iis;

/// <summary>
/// IIS facts from an applicationHost.config file, resolved the way IIS resolves them: schema defaults, then
/// &lt;applicationPoolDefaults&gt;, then the pool's own element; global &lt;system.webServer&gt; sections, then each
/// &lt;location&gt; from the root down to the path. Runtime state is not in the file and is reported unknown.
/// Certificates of https bindings live in HTTP.sys, not in the file; a WebAdministration export of the bindings
/// (Get-WebBinding | Export-Clixml, saved as GetWebBinding.xml beside the file, as CSS-Exchange's HealthChecker
/// data collection does) supplies them when present.
/// </summary>
internal sealed class ApplicationHostConfigFile : IIisConfigurationSource
{
    /// <summary>
    /// The largest applicationHost.config read (issue 20, documented in Get-MapiAppPoolHealth's help): an Exchange
    /// server's is well under 1 MB; 32 MB leaves room for thousands of sites and pools.
    /// </summary>
    public const long MaxBytes = 32L * 1024 * 1024;

    /// <summary>The largest GetWebBinding.xml read: a few KB per binding.</summary>
    public const long BindingSnapshotMaxBytes = 16L * 1024 * 1024;

    /// <summary>The snapshot file beside applicationHost.config that carries binding certificates.</summary>
    public const string BindingSnapshotFileName = "GetWebBinding.xml";

    // IIS 10 schema defaults (%windir%\System32\inetsrv\config\schema\IIS_schema.xml) for the attributes checked here.
    private static readonly Dictionary<string, string> PoolSchemaDefaults = new(StringComparer.Ordinal)
    {
        ["autoStart"] = "true",
        ["managedRuntimeVersion"] = "v4.0",
        ["managedPipelineMode"] = "Integrated",
        ["queueLength"] = "1000",
        ["processModel/identityType"] = "ApplicationPoolIdentity",
        ["processModel/userName"] = string.Empty,
        ["processModel/idleTimeout"] = "00:20:00",
        ["recycling/periodicRestart/time"] = "1.05:00:00",
        ["recycling/periodicRestart/memory"] = "0",
        ["recycling/periodicRestart/privateMemory"] = "0",
        ["recycling/periodicRestart/requests"] = "0",
        ["failure/rapidFailProtection"] = "true",
    };

    private readonly XElement _root;

    // Pools and sites by name, built once (issue 20: a lookup per pool made 40,000 pools take 51 s). The first
    // element of a name wins, as FirstOrDefault over document order did.
    private readonly Dictionary<string, XElement> _pools = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, XElement> _sites = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(string Site, string Protocol, string Binding), (string? Hash, string? Store)>? _bindingCertificates;
    private readonly string? _bindingSnapshotProblem;
    private readonly bool _bindingSnapshotPresent;

    private ApplicationHostConfigFile(string path, XElement root, string? bindingSnapshotPath)
    {
        Path = path;
        _root = root;
        foreach (XElement pool in root.Element("system.applicationHost")?.Element("applicationPools")?.Elements("add") ?? Enumerable.Empty<XElement>())
        {
            if (pool.Attribute("name")?.Value is string poolName && !_pools.ContainsKey(poolName))
            {
                _pools.Add(poolName, pool);
            }
        }

        foreach (XElement site in root.Element("system.applicationHost")?.Element("sites")?.Elements("site") ?? Enumerable.Empty<XElement>())
        {
            if (site.Attribute("name")?.Value is string siteName && !_sites.ContainsKey(siteName))
            {
                _sites.Add(siteName, site);
            }
        }
        if (bindingSnapshotPath is not null)
        {
            _bindingSnapshotPresent = true;
            try
            {
                // Issue 20: the snapshot is an input file like any other (regular file, bounded size).
                InputFile.Check(bindingSnapshotPath, "a Get-WebBinding export", BindingSnapshotMaxBytes);
                _bindingCertificates = ReadBindingSnapshot(bindingSnapshotPath);
            }
            catch (Exception ex) when (ex is XmlException or IOException or UnauthorizedAccessException or InvalidOperationException or RuntimeException)
            {
                _bindingSnapshotProblem = $"{bindingSnapshotPath} could not be read: {ex.Message}";
            }
        }
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    public string Description => Path;

    public string? MachineName => null;

    /// <summary>True when a GetWebBinding.xml beside the file was read for binding certificates.</summary>
    public bool HasBindingSnapshot => _bindingCertificates is not null;

    /// <summary>
    /// Reads and parses the file. Throws FileNotFoundException when it does not exist and
    /// <see cref="IisConfigurationException"/> (file, line, position) when it is not valid IIS configuration.
    /// </summary>
    public static ApplicationHostConfigFile Load(string path, CancellationToken cancellation)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full) && !Directory.Exists(full))
        {
            throw new FileNotFoundException($"The IIS configuration file '{DisplayText.Safe(full)}' does not exist.", full);
        }

        XDocument document;
        try
        {
            document = SafeXml.Load(full, "an IIS applicationHost.config", MaxBytes, cancellation);
        }
        catch (XmlException ex)
        {
            throw new IisConfigurationException(full, ex.LineNumber, ex.LinePosition, StripPosition(ex.Message), ex);
        }

        XElement root = document.Root!;
        if (root.Name.LocalName != "configuration" || root.Name.Namespace != XNamespace.None)
        {
            throw At(full, root, $"the root element is <{DisplayText.Safe(root.Name.LocalName)}>, not <configuration>.");
        }

        if (root.Element("system.applicationHost") is null)
        {
            throw At(full, root, "it has no <system.applicationHost> section (is this a web.config rather than applicationHost.config?).");
        }

        string snapshot = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, BindingSnapshotFileName);
        var file = new ApplicationHostConfigFile(full, root, File.Exists(snapshot) ? snapshot : null);
        file.Validate(cancellation);
        return file;
    }

    public AppPoolConfig? GetApplicationPool(string name)
    {
        if (!_pools.TryGetValue(name, out XElement? pool))
        {
            return null;
        }

        XElement? defaults = pool.Parent?.Element("applicationPoolDefaults");
        string Value(string key) => PoolAttribute(pool, defaults, key) is XAttribute a ? a.Value : PoolSchemaDefaults[key];
        XAttribute? Attr(string key) => PoolAttribute(pool, defaults, key);

        return new AppPoolConfig(
            Name: pool.Attribute("name")!.Value,
            AutoStart: ParseBool(Attr("autoStart"), Value("autoStart")),
            ManagedRuntimeVersion: Value("managedRuntimeVersion"),
            ManagedPipelineMode: Value("managedPipelineMode"),
            IdentityType: Value("processModel/identityType"),
            UserName: NullIfEmpty(Value("processModel/userName")),
            IdleTimeout: ParseTime(Attr("processModel/idleTimeout"), Value("processModel/idleTimeout")),
            PeriodicRestartTime: ParseTime(Attr("recycling/periodicRestart/time"), Value("recycling/periodicRestart/time")),
            PeriodicRestartMemory: ParseLong(Attr("recycling/periodicRestart/memory"), Value("recycling/periodicRestart/memory")),
            PeriodicRestartPrivateMemory: ParseLong(Attr("recycling/periodicRestart/privateMemory"), Value("recycling/periodicRestart/privateMemory")),
            PeriodicRestartRequests: ParseLong(Attr("recycling/periodicRestart/requests"), Value("recycling/periodicRestart/requests")),
            PeriodicRestartSchedule: Schedule(pool, defaults),
            RapidFailProtection: ParseBool(Attr("failure/rapidFailProtection"), Value("failure/rapidFailProtection")),
            QueueLength: ParseLong(Attr("queueLength"), Value("queueLength")),
            ClrConfigFile: pool.Attribute("CLRConfigFile")?.Value);
    }

    public ApplicationConfig? GetApplication(string siteName, string applicationPath)
    {
        XElement? site = Site(siteName);
        XElement? application = site?.Elements("application").FirstOrDefault(a => PathIs(a.Attribute("path")?.Value, applicationPath));
        return application is null ? null : ToApplication(site!, application);
    }

    public IReadOnlyList<ApplicationConfig> GetApplications() =>
        Sites().SelectMany(site => site.Elements("application").Select(a => ToApplication(site, a))).ToArray();

    public SiteConfig? GetSite(string siteName)
    {
        XElement? site = Site(siteName);
        if (site is null)
        {
            return null;
        }

        string name = site.Attribute("name")!.Value;
        var bindings = new List<SiteBinding>();
        foreach (XElement binding in site.Element("bindings")?.Elements("binding") ?? Enumerable.Empty<XElement>())
        {
            string protocol = binding.Attribute("protocol")?.Value ?? string.Empty;
            string information = binding.Attribute("bindingInformation")?.Value ?? string.Empty;
            bool known = false;
            string? hash = null;
            string? store = null;
            if (!string.Equals(protocol, "https", StringComparison.OrdinalIgnoreCase))
            {
                // Only https bindings carry a certificate.
                known = true;
            }
            else if (binding.Attribute("certificateHash") is XAttribute fileHash)
            {
                known = true;
                hash = NullIfEmpty(fileHash.Value);
                store = NullIfEmpty(binding.Attribute("certificateStoreName")?.Value);
            }
            else if (_bindingCertificates is not null &&
                     _bindingCertificates.TryGetValue((name.ToUpperInvariant(), protocol.ToUpperInvariant(), information.ToUpperInvariant()), out var snapshot))
            {
                known = true;
                hash = snapshot.Hash;
                store = snapshot.Store;
            }

            bindings.Add(new SiteBinding(protocol, information, known, hash, store));
        }

        long.TryParse(site.Attribute("id")?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long id);
        bool autoStart = ParseBool(site.Attribute("serverAutoStart"), site.Attribute("serverAutoStart")?.Value ?? "true");
        return new SiteConfig(name, id, autoStart, bindings, bindings.All(b => b.CertificateKnown) ? null : CertificateUnknownReason);
    }

    /// <summary>Why binding certificates are not known from this file (null when they are).</summary>
    public string CertificateUnknownReason =>
        _bindingSnapshotProblem ??
        (_bindingSnapshotPresent
            ? $"the binding is not in {BindingSnapshotFileName} beside {Path}"
            : $"the certificate of an https binding is kept by HTTP.sys, not in applicationHost.config; put a Get-WebBinding export named {BindingSnapshotFileName} beside the file, or run live on the server");

    public LocationSecurity GetSecurity(string locationPath)
    {
        string target = NormalizeLocation(locationPath);
        List<XElement> contexts = SecurityContexts(target);

        string? Resolve(string elementPath, string attribute)
        {
            string? value = null;
            foreach (XElement context in contexts)
            {
                XElement? element = context;
                foreach (string part in elementPath.Split('/'))
                {
                    element = element?.Element(part);
                }

                if (element?.Attribute(attribute) is XAttribute a)
                {
                    value = a.Value;
                }
            }

            return value;
        }

        const string auth = "security/authentication/";
        return new LocationSecurity(
            Location: locationPath,
            WindowsAuthentication: ParseBoolText(Resolve(auth + "windowsAuthentication", "enabled"), false),
            AnonymousAuthentication: ParseBoolText(Resolve(auth + "anonymousAuthentication", "enabled"), false),
            BasicAuthentication: ParseBoolText(Resolve(auth + "basicAuthentication", "enabled"), false),
            DigestAuthentication: ParseBoolText(Resolve(auth + "digestAuthentication", "enabled"), false),
            SslFlags: IisFlags.NormalizeSslFlags(Resolve("security/access", "sslFlags")),
            ExtendedProtectionTokenChecking: IisFlags.NormalizeTokenChecking(Resolve(auth + "windowsAuthentication/extendedProtection", "tokenChecking")),
            ExtendedProtectionFlags: IisFlags.NormalizeExtendedProtectionFlags(Resolve(auth + "windowsAuthentication/extendedProtection", "flags")))
        {
            WindowsAuthenticationProviders = Providers(contexts, auth + "windowsAuthentication/providers"),

            // IIS's schema defaults: kernel mode on, pool credentials off (Exchange's setup writes useKernelMode="false").
            UseKernelMode = ParseBoolText(Resolve(auth + "windowsAuthentication", "useKernelMode"), true),
            UseAppPoolCredentials = ParseBoolText(Resolve(auth + "windowsAuthentication", "useAppPoolCredentials"), false),
        };
    }

    /// <summary>
    /// An IIS collection merged as IIS merges it, least specific context first: &lt;clear/&gt; empties it, &lt;add value&gt;
    /// appends (once), &lt;remove value&gt; takes out (issue 14: the windowsAuthentication providers).
    /// </summary>
    private static IReadOnlyList<string> Providers(List<XElement> contexts, string elementPath)
    {
        var values = new List<string>();
        foreach (XElement context in contexts)
        {
            XElement? element = context;
            foreach (string part in elementPath.Split('/'))
            {
                element = element?.Element(part);
            }

            if (element is null)
            {
                continue;
            }

            foreach (XElement item in element.Elements())
            {
                string? value = item.Attribute("value")?.Value.Trim();
                switch (item.Name.LocalName)
                {
                    case "clear":
                        values.Clear();
                        break;
                    case "add" when !string.IsNullOrEmpty(value) && !values.Contains(value!, StringComparer.OrdinalIgnoreCase):
                        values.Add(value!);
                        break;
                    case "remove" when !string.IsNullOrEmpty(value):
                        values.RemoveAll(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase));
                        break;
                }
            }
        }

        return values;
    }

    public RuntimeFacts GetApplicationPoolRuntime(string name) =>
        RuntimeFacts.Unknown($"the pool's runtime state is not in a configuration file ({Path}); run Get-MapiAppPoolHealth on the server (or with -ComputerName) to see it");

    public RuntimeFacts GetSiteRuntime(string siteName) =>
        RuntimeFacts.Unknown($"the site's runtime state is not in a configuration file ({Path}); run Get-MapiAppPoolHealth on the server (or with -ComputerName) to see it");

    /// <summary>
    /// The system.webServer elements that apply at <paramref name="target"/>, least specific first: the global section,
    /// then &lt;location path=""&gt;, then each ancestor location, then the location itself (document order within a level).
    /// </summary>
    private List<XElement> SecurityContexts(string target)
    {
        var contexts = new List<XElement>();
        if (_root.Element("system.webServer") is XElement global)
        {
            contexts.Add(global);
        }

        string[] segments = target.Length == 0 ? Array.Empty<string>() : target.Split('/');
        var byDepth = new List<(int Depth, int Order, XElement Element)>();
        int order = 0;
        foreach (XElement location in _root.Elements("location"))
        {
            order++;
            string path = NormalizeLocation(location.Attribute("path")?.Value ?? string.Empty);
            string[] locationSegments = path.Length == 0 ? Array.Empty<string>() : path.Split('/');
            if (locationSegments.Length > segments.Length)
            {
                continue;
            }

            bool prefix = true;
            for (int i = 0; i < locationSegments.Length; i++)
            {
                if (!string.Equals(locationSegments[i], segments[i], StringComparison.OrdinalIgnoreCase))
                {
                    prefix = false;
                    break;
                }
            }

            bool exact = locationSegments.Length == segments.Length;
            bool inherits = !string.Equals(location.Attribute("inheritInChildApplications")?.Value, "false", StringComparison.OrdinalIgnoreCase);
            if (!prefix || (!exact && !inherits) || location.Element("system.webServer") is not XElement webServer)
            {
                continue;
            }

            byDepth.Add((locationSegments.Length, order, webServer));
        }

        contexts.AddRange(byDepth.OrderBy(c => c.Depth).ThenBy(c => c.Order).Select(c => c.Element));
        return contexts;
    }

    private void Validate(CancellationToken cancellation)
    {
        // The structure is checked here; values are parsed when a pool or site is read, so that a bad value spoils only
        // that pool or site and is reported with its position while the rest is still judged (issue 20).
        XElement? pools = _root.Element("system.applicationHost")?.Element("applicationPools");
        foreach (XElement pool in pools?.Elements("add") ?? Enumerable.Empty<XElement>())
        {
            if (pool.Attribute("name") is null)
            {
                throw At(Path, pool, "an application pool <add> has no name attribute.");
            }

            cancellation.ThrowIfCancellationRequested();
        }

        foreach (XElement site in Sites())
        {
            if (site.Attribute("name") is null)
            {
                throw At(Path, site, "a <site> has no name attribute.");
            }

            cancellation.ThrowIfCancellationRequested();
        }
    }

    private IEnumerable<XElement> Sites() =>
        _root.Element("system.applicationHost")?.Element("sites")?.Elements("site") ?? Enumerable.Empty<XElement>();

    private XElement? Site(string name) => _sites.TryGetValue(name, out XElement? site) ? site : null;

    private ApplicationConfig ToApplication(XElement site, XElement application)
    {
        string? pool = application.Attribute("applicationPool")?.Value
            ?? site.Element("applicationDefaults")?.Attribute("applicationPool")?.Value
            ?? site.Parent?.Element("applicationDefaults")?.Attribute("applicationPool")?.Value;
        string? physicalPath = application.Elements("virtualDirectory")
            .FirstOrDefault(v => PathIs(v.Attribute("path")?.Value, "/"))?.Attribute("physicalPath")?.Value;
        return new ApplicationConfig(site.Attribute("name")!.Value, application.Attribute("path")?.Value ?? "/", NullIfEmpty(pool), physicalPath);
    }

    private static XAttribute? PoolAttribute(XElement pool, XElement? defaults, string key)
    {
        int slash = key.LastIndexOf('/');
        string attribute = slash < 0 ? key : key.Substring(slash + 1);
        string[] path = slash < 0 ? Array.Empty<string>() : key.Substring(0, slash).Split('/');

        XElement? Walk(XElement? start)
        {
            XElement? element = start;
            foreach (string part in path)
            {
                element = element?.Element(part);
            }

            return element;
        }

        return Walk(pool)?.Attribute(attribute) ?? Walk(defaults)?.Attribute(attribute);
    }

    private IReadOnlyList<TimeSpan> Schedule(XElement pool, XElement? defaults)
    {
        // A collection inherits from applicationPoolDefaults; <clear/> and <remove value=".."/> edit what came before.
        // Removal marks entries dead through an index by key, so thousands of adds and removes stay linear (issue 20).
        var items = new List<(string Key, TimeSpan Value, bool Alive)>();
        var byKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (XElement? source in new[] { defaults, pool })
        {
            XElement? schedule = source?.Element("recycling")?.Element("periodicRestart")?.Element("schedule");
            foreach (XElement item in schedule?.Elements() ?? Enumerable.Empty<XElement>())
            {
                switch (item.Name.LocalName)
                {
                    case "clear":
                        items.Clear();
                        byKey.Clear();
                        break;
                    case "remove":
                        if (byKey.TryGetValue((item.Attribute("value")?.Value ?? string.Empty).Trim(), out List<int>? indexes))
                        {
                            foreach (int i in indexes)
                            {
                                items[i] = (items[i].Key, items[i].Value, false);
                            }

                            indexes.Clear();
                        }

                        break;
                    case "add":
                        XAttribute? value = item.Attribute("value");
                        if (value is null)
                        {
                            throw At(Path, item, "a recycling schedule <add> has no value attribute.");
                        }

                        string key = value.Value.Trim();
                        if (!byKey.TryGetValue(key, out List<int>? list))
                        {
                            byKey[key] = list = new List<int>();
                        }

                        list.Add(items.Count);
                        items.Add((key, ParseTime(value, value.Value), true));
                        break;
                }
            }
        }

        return items.Where(i => i.Alive).Select(i => i.Value).ToArray();
    }

    private bool ParseBool(XAttribute? attribute, string text)
    {
        if (bool.TryParse(text.Trim(), out bool value))
        {
            return value;
        }

        throw Bad(attribute, text, "true or false");
    }

    private TimeSpan ParseTime(XAttribute? attribute, string text)
    {
        if (TimeSpan.TryParse(text.Trim(), CultureInfo.InvariantCulture, out TimeSpan value))
        {
            return value;
        }

        throw Bad(attribute, text, "a time span such as 00:20:00 or 1.05:00:00");
    }

    private long ParseLong(XAttribute? attribute, string text)
    {
        if (long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
        {
            return value;
        }

        throw Bad(attribute, text, "a whole number");
    }

    private IisConfigurationException Bad(XAttribute? attribute, string text, string expected) =>
        attribute is null
            ? new IisConfigurationException(Path, 0, 0, $"value '{DisplayText.Safe(text)}' is not {expected}.")
            : At(Path, attribute, $"{DisplayText.Safe(attribute.Parent?.Name.LocalName)}/@{DisplayText.Safe(attribute.Name.LocalName)} is '{DisplayText.Safe(text)}', not {expected}.");

    private static bool ParseBoolText(string? text, bool fallback) =>
        text is not null && bool.TryParse(text.Trim(), out bool value) ? value : fallback;

    private static IisConfigurationException At(string path, XObject node, string reason)
    {
        var info = (IXmlLineInfo)node;
        return new IisConfigurationException(path, info.HasLineInfo() ? info.LineNumber : 0, info.HasLineInfo() ? info.LinePosition : 0, reason);
    }

    private static Dictionary<(string, string, string), (string?, string?)> ReadBindingSnapshot(string path)
    {
        var result = new Dictionary<(string, string, string), (string?, string?)>();
        var siteName = new Regex("@name='(?<name>[^']*)'", RegexOptions.CultureInvariant);
        // Read as data (issue 20): no type table, no converters, no rehydration.
        foreach (object? item in ClixmlReader.ReadFile(path, "a Get-WebBinding export", ClixmlReader.DefaultMaxFileBytes))
        {
            if (item is not PSObject binding)
            {
                continue;
            }

            string? protocol = binding.Properties["protocol"]?.Value?.ToString();
            string? information = binding.Properties["bindingInformation"]?.Value?.ToString();
            string? xpath = binding.Properties["ItemXPath"]?.Value?.ToString();
            Match match = siteName.Match(xpath ?? string.Empty);
            if (protocol is null || information is null || !match.Success)
            {
                continue;
            }

            string site = match.Groups["name"].Value.Replace("''", "'");
            result[(site.ToUpperInvariant(), protocol.ToUpperInvariant(), information.ToUpperInvariant())] =
                (NullIfEmpty(binding.Properties["certificateHash"]?.Value?.ToString()), NullIfEmpty(binding.Properties["certificateStoreName"]?.Value?.ToString()));
        }

        return result;
    }

    private static string StripPosition(string message)
    {
        // XmlException appends " Line n, position m." to its message; the error names the position itself.
        int index = message.LastIndexOf(" Line ", StringComparison.Ordinal);
        return index > 0 ? message.Substring(0, index).TrimEnd() : message;
    }

    private static bool PathIs(string? path, string expected) =>
        string.Equals((path ?? string.Empty).TrimEnd('/'), expected.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static string NormalizeLocation(string path)
    {
        string trimmed = path.Replace('\\', '/').Trim().Trim('/');
        return trimmed == "." ? string.Empty : trimmed;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
