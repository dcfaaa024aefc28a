using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Xml.Linq;
using MapiHttpTools.Iis;

namespace MapiHttpTools.Tests.Iis;

/// <summary>
/// The real Exchange 2019 applicationHost.config (CSS-Exchange fixtures) and variants derived from it at test time
/// in a temporary folder: each variant is one XDocument edit of the real file.
/// </summary>
internal sealed class IisFixture : IDisposable
{
    public static readonly string FixtureFolder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "css-exchange", "IIS");

    public static readonly string ConfigPath = Path.Combine(FixtureFolder, "applicationHost.config");

    public static readonly string BadConfigPath = Path.Combine(FixtureFolder, "BadApplicationHost.config");

    public static readonly string BindingSnapshotPath = Path.Combine(FixtureFolder, "GetWebBinding.xml");

    public IisFixture()
    {
        Folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.Iis." + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary>Writes the real file, edited by <paramref name="edit"/>, to a new subfolder; with the binding snapshot beside it on request.</summary>
    public string Variant(Action<XDocument>? edit = null, bool withBindingSnapshot = false, string name = "applicationHost.config")
    {
        string folder = Path.Combine(Folder, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        XDocument document = XDocument.Load(ConfigPath, LoadOptions.PreserveWhitespace);
        edit?.Invoke(document);
        string path = Path.Combine(folder, name);
        document.Save(path);
        if (withBindingSnapshot)
        {
            File.Copy(BindingSnapshotPath, Path.Combine(folder, ApplicationHostConfigFile.BindingSnapshotFileName));
        }

        return path;
    }

    /// <summary>Writes raw text as a file in a new subfolder.</summary>
    public string Text(string text, string name)
    {
        string folder = Path.Combine(Folder, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    public static ApplicationHostConfigFile Load(string path) => ApplicationHostConfigFile.Load(path, CancellationToken.None);

    // Edits of the real file.
    public static XElement Pool(XDocument document, string name) =>
        document.Root!.Element("system.applicationHost")!.Element("applicationPools")!.Elements("add").Single(e => (string?)e.Attribute("name") == name);

    public static XElement Site(XDocument document, string name) =>
        document.Root!.Element("system.applicationHost")!.Element("sites")!.Elements("site").Single(e => (string?)e.Attribute("name") == name);

    public static XElement Application(XDocument document, string site, string path) =>
        Site(document, site).Elements("application").Single(e => (string?)e.Attribute("path") == path);

    public static XElement Location(XDocument document, string path) =>
        document.Root!.Elements("location").Single(e => (string?)e.Attribute("path") == path);

    public static XElement Authentication(XDocument document, string location, string section) =>
        Location(document, location).Element("system.webServer")!.Element("security")!.Element("authentication")!.Element(section)!;

    /// <summary>An event as Get-WinEvent returns it (the properties Export-Clixml keeps).</summary>
    public static PSObject Event(int id, DateTime time, string message, string provider = MapiPoolEvents.WasProvider, string log = "System", params string[] insertionStrings)
    {
        var record = new PSObject();
        record.Properties.Add(new PSNoteProperty("Id", id));
        record.Properties.Add(new PSNoteProperty("ProviderName", provider));
        record.Properties.Add(new PSNoteProperty("LogName", log));
        record.Properties.Add(new PSNoteProperty("TimeCreated", time));
        record.Properties.Add(new PSNoteProperty("Message", message));
        record.Properties.Add(new PSNoteProperty("MachineName", "EX01.contoso.com"));
        var properties = insertionStrings.Select(s =>
        {
            var property = new PSObject();
            property.Properties.Add(new PSNoteProperty("Value", s));
            return property;
        }).ToArray();
        record.Properties.Add(new PSNoteProperty("Properties", properties));
        return record;
    }

    /// <summary>Events serialized the way Export-Clixml writes them (a file of property bags).</summary>
    public string Events(IEnumerable<PSObject> events, DateTime? exportedUtc = null)
    {
        string path = Text(PSSerializer.Serialize(events.ToArray(), 3), "events.xml");
        File.SetLastWriteTimeUtc(path, exportedUtc ?? DateTime.UtcNow);
        return path;
    }

    public static string WasCrash(string pool) => $"A process serving application pool '{pool}' suffered a fatal communication error with the Windows Process Activation Service. The process id was '4242'. The data field contains the error number.";

    public static string WasDisable(string pool) => $"Application pool '{pool}' is being automatically disabled due to a series of failures in the process(es) serving that application pool.";

    public static string WasRecycle(string pool) => $"A worker process with process id of '4242' serving application pool '{pool}' has requested a recycle because the worker process reached its allowed processing time limit.";

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
