using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Xml;
using System.Xml.Linq;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.ClientState;

/// <summary>
/// The Autodiscover responses Outlook caches in %LOCALAPPDATA%\Microsoft\Outlook (and its 15/16 subfolders), named
/// like "&lt;guid&gt; - Autodiscover.xml" or "&lt;hash&gt; - Autod.xml". Each is a POX Autodiscover response
/// (namespaces http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006 and
/// .../outlook/responseschema/2006a); Outlook that asked with X-MapiHttpCapability and was given MAPI/HTTP has a
/// &lt;Protocol Type="mapiHttp" Version="1"&gt; with MailStore and AddressBook InternalUrl/ExternalUrl in it.
/// </summary>
internal static class AutodiscoverCache
{
    public const string ResponseNamespace = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
    public const string OutlookResponseNamespace = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

    /// <summary>
    /// The largest cached Autodiscover file read (documented in Get-MapiHttpClientState's help): Outlook's are a few KB.
    /// </summary>
    public const long MaxBytes = 4L * 1024 * 1024;

    /// <summary>The cache files in the folder and its direct subfolders; a path to a single file is taken as it is.</summary>
    public static IReadOnlyList<string> FindFiles(string path, CancellationToken cancel)
    {
        if (File.Exists(path))
        {
            return new[] { path };
        }

        var files = new List<string>();
        AddMatches(path, files);
        foreach (string sub in SafeDirectories(path))
        {
            cancel.ThrowIfCancellationRequested();
            AddMatches(sub, files);
        }

        return files;
    }

    /// <summary>True for a file name Outlook uses for cached Autodiscover XML.</summary>
    public static bool IsCacheFileName(string fileName) =>
        fileName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) && fileName.IndexOf("autod", StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>Parses one file. A file that is not valid XML, or not a POX response, comes back with ParseError set.</summary>
    public static MapiHttpCachedAutodiscover Read(string path, DateTime nowUtc, CancellationToken cancellation = default)
    {
        DateTime written = File.GetLastWriteTimeUtc(path);
        TimeSpan age = nowUtc > written ? nowUtc - written : TimeSpan.Zero;
        XDocument document;
        try
        {
            // Issue 20: a regular file of bounded size and nesting, read with cancellation; never a device or a pipe.
            document = MapiHttpTools.Iis.SafeXml.Load(path, "a cached Autodiscover response", MaxBytes, cancellation, ignoreComments: true);
        }
        catch (Exception ex) when (ex is XmlException or IOException or UnauthorizedAccessException)
        {
            string id = ex is InputFileException input ? input.ErrorId + ": " : string.Empty;
            return Unreadable(path, written, age, id + DisplayText.Safe(ex.Message));
        }

        return Parse(path, written, age, document);
    }

    internal static MapiHttpCachedAutodiscover Parse(string path, DateTime written, TimeSpan age, XDocument document)
    {
        XElement? root = document.Root;
        if (root is null || root.Name.LocalName != "Autodiscover" || root.Name.NamespaceName != ResponseNamespace)
        {
            return Unreadable(path, written, age, $"the root element is <{DisplayText.Safe(root?.Name.LocalName)}> in '{DisplayText.Safe(root?.Name.NamespaceName)}', not <Autodiscover> in '{ResponseNamespace}'.");
        }

        XElement? response = root.Elements().FirstOrDefault(e => e.Name.LocalName == "Response");
        if (response is null)
        {
            return Unreadable(path, written, age, "the response has no <Response> element.");
        }

        XElement? user = Child(response, "User");
        XElement? account = Child(response, "Account");
        XElement? error = Child(response, "Error") ?? (account is null ? null : Child(account, "Error"));
        string? action = Text(account, "Action");
        string? redirect = Text(account, "RedirectAddr") ?? Text(account, "RedirectUrl");

        var protocols = new List<string>();
        XElement? mapiHttp = null;
        if (account is not null)
        {
            foreach (XElement protocol in account.Elements().Where(e => e.Name.LocalName == "Protocol"))
            {
                string? type = (string?)protocol.Attribute("Type") ?? Text(protocol, "Type");
                if (type is null)
                {
                    continue;
                }

                protocols.Add(DisplayText.Safe(type));
                if (mapiHttp is null && type.Equals("mapiHttp", StringComparison.OrdinalIgnoreCase))
                {
                    mapiHttp = protocol;
                }
            }
        }

        XElement? mailStore = mapiHttp is null ? null : Child(mapiHttp, "MailStore");
        XElement? addressBook = mapiHttp is null ? null : Child(mapiHttp, "AddressBook");
        return new MapiHttpCachedAutodiscover(
            path,
            written,
            age,
            null,
            Text(user, "AutoDiscoverSMTPAddress"),
            action,
            redirect,
            Text(error, "ErrorCode"),
            Text(error, "Message"),
            mapiHttp is not null,
            Text(mailStore, "InternalUrl"),
            Text(mailStore, "ExternalUrl"),
            Text(addressBook, "InternalUrl"),
            Text(addressBook, "ExternalUrl"),
            protocols);
    }

    /// <summary>The host names of the MAPI/HTTP URLs in the responses (for matching Credential Manager targets).</summary>
    public static IEnumerable<string> HostsOf(IEnumerable<MapiHttpCachedAutodiscover> responses) =>
        responses.SelectMany(r => new[] { r.MailStoreInternalUrl, r.MailStoreExternalUrl, r.AddressBookInternalUrl, r.AddressBookExternalUrl })
            .Select(u => Uri.TryCreate(u, UriKind.Absolute, out Uri? uri) ? uri.Host : null)
            .Where(h => !string.IsNullOrEmpty(h))
            .Select(h => h!)
            .Distinct(StringComparer.OrdinalIgnoreCase);

    private static MapiHttpCachedAutodiscover Unreadable(string path, DateTime written, TimeSpan age, string problem) =>
        new(path, written, age, problem, null, null, null, null, null, false, null, null, null, null, Array.Empty<string>());

    private static XElement? Child(XElement? parent, string localName) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    // Values from the file are shown in tables, messages and evidence: control characters made visible and long
    // values cut here, once (issue 20). Real values (addresses, URLs, error text) are far shorter than the cut.
    private static string? Text(XElement? parent, string localName)
    {
        string? value = Child(parent, localName)?.Value.Trim();
        return string.IsNullOrEmpty(value) ? null : DisplayText.Safe(value);
    }

    private static void AddMatches(string folder, List<string> files)
    {
        try
        {
            files.AddRange(Directory.EnumerateFiles(folder, "*.xml").Where(f => IsCacheFileName(Path.GetFileName(f))).OrderBy(f => f, StringComparer.OrdinalIgnoreCase));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A subfolder Outlook locks or the caller may not list holds nothing this check can use.
        }
    }

    private static IEnumerable<string> SafeDirectories(string folder)
    {
        try
        {
            return Directory.GetDirectories(folder).OrderBy(d => d, StringComparer.OrdinalIgnoreCase).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<string>();
        }
    }
}
