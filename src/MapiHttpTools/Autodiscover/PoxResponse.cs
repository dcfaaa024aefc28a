using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml;
using System.Xml.Linq;
using MapiHttpTools.Iis;

namespace MapiHttpTools.Autodiscover;

/// <summary>What an Outlook POX Autodiscover answer asks of the client (MS-OXDSCLI 2.2.4.1.1.2.2 Action, 2.2.4.1.1.3 Error).</summary>
internal enum PoxKind
{
    Settings,
    RedirectAddr,
    RedirectUrl,
    Error,
}

/// <summary>The &lt;Protocol Type="mapiHttp"&gt; block: where Outlook is told to find /mapi/emsmdb and /mapi/nspi.</summary>
internal sealed record PoxMapiHttp(string? Version, string? MailStoreInternalUrl, string? MailStoreExternalUrl, string? AddressBookInternalUrl, string? AddressBookExternalUrl)
{
    /// <summary>Every URL the block names, with the element it came from ("MailStore/InternalUrl").</summary>
    public IEnumerable<(string Element, string Url)> Urls()
    {
        foreach ((string element, string? url) in new[]
                 {
                     ("MailStore/InternalUrl", MailStoreInternalUrl), ("MailStore/ExternalUrl", MailStoreExternalUrl),
                     ("AddressBook/InternalUrl", AddressBookInternalUrl), ("AddressBook/ExternalUrl", AddressBookExternalUrl),
                 })
        {
            if (!string.IsNullOrWhiteSpace(url))
            {
                yield return (element, url!);
            }
        }
    }
}

/// <summary>One &lt;Protocol&gt; beside the mapiHttp block (EXCH: RPC/HTTP inside; EXPR: Outlook Anywhere; WEB).</summary>
internal sealed record PoxProtocol(string Type, string? Server, string? AuthPackage, string? EwsUrl);

/// <summary>A parsed POX Autodiscover answer. Server text stays raw here; it is escaped where it reaches output.</summary>
internal sealed class PoxResponse
{
    public PoxKind Kind { get; init; }

    public PoxMapiHttp? MapiHttp { get; init; }

    public IReadOnlyList<PoxProtocol> Protocols { get; init; } = Array.Empty<PoxProtocol>();

    /// <summary>RedirectAddr or RedirectUrl, for the redirect kinds.</summary>
    public string? RedirectTarget { get; init; }

    public int? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    public string? DisplayName { get; init; }

    public string? AutoDiscoverSmtpAddress { get; init; }
}

/// <summary>Why an answer is not a POX Autodiscover response (malformed, hostile, or something else entirely).</summary>
internal sealed class PoxFormatException : Exception
{
    public PoxFormatException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Reads the answer Outlook gets from /autodiscover/autodiscover.xml. The XML came from the network (issue 14): no DTD,
/// no entities, bounded nesting and size (<see cref="SafeXml.Load(byte[], string)"/>); elements are found by local
/// name, since Exchange puts the outlook response schema on &lt;Response&gt; and the error answer has none.
/// </summary>
internal static class PoxResponseParser
{
    public static PoxResponse Parse(byte[] body)
    {
        XDocument document;
        try
        {
            document = SafeXml.Load(body, "Autodiscover answer");
        }
        catch (XmlException ex)
        {
            throw new PoxFormatException($"the answer is not well-formed XML, or is hostile XML (DTD, entities, nesting): {ex.Message}", ex);
        }

        XElement? root = document.Root;
        if (root is null || root.Name.LocalName != "Autodiscover")
        {
            throw new PoxFormatException($"the answer's root element is <{root?.Name.LocalName}>, not <Autodiscover>: something other than Exchange's Autodiscover answered.");
        }

        XElement? response = Child(root, "Response");
        if (response is null)
        {
            throw new PoxFormatException("the answer has no <Response> element.");
        }

        XElement? error = Child(response, "Error") ?? Child(Child(response, "Account"), "Error");
        if (error is not null)
        {
            string? codeText = Text(error, "ErrorCode");
            return new PoxResponse
            {
                Kind = PoxKind.Error,
                ErrorCode = int.TryParse(codeText, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int code) ? code : null,
                ErrorMessage = Text(error, "Message") ?? codeText,
            };
        }

        XElement? account = Child(response, "Account");
        if (account is null)
        {
            throw new PoxFormatException("the answer has neither <Account> nor <Error>.");
        }

        XElement? user = Child(response, "User");
        string action = Text(account, "Action") ?? "settings";
        if (string.Equals(action, "redirectAddr", StringComparison.OrdinalIgnoreCase))
        {
            return new PoxResponse { Kind = PoxKind.RedirectAddr, RedirectTarget = Text(account, "RedirectAddr") };
        }

        if (string.Equals(action, "redirectUrl", StringComparison.OrdinalIgnoreCase))
        {
            return new PoxResponse { Kind = PoxKind.RedirectUrl, RedirectTarget = Text(account, "RedirectUrl") };
        }

        PoxMapiHttp? mapiHttp = null;
        var protocols = new List<PoxProtocol>();
        foreach (XElement protocol in account.Elements().Where(e => e.Name.LocalName == "Protocol"))
        {
            string? typeAttribute = (string?)protocol.Attribute("Type");
            if (string.Equals(typeAttribute, "mapiHttp", StringComparison.OrdinalIgnoreCase))
            {
                XElement? store = Child(protocol, "MailStore");
                XElement? book = Child(protocol, "AddressBook");
                mapiHttp ??= new PoxMapiHttp((string?)protocol.Attribute("Version"), Text(store, "InternalUrl"), Text(store, "ExternalUrl"), Text(book, "InternalUrl"), Text(book, "ExternalUrl"));
                continue;
            }

            string? type = Text(protocol, "Type") ?? typeAttribute;
            if (type is not null)
            {
                protocols.Add(new PoxProtocol(type, Text(protocol, "Server"), Text(protocol, "AuthPackage"), Text(protocol, "ASUrl")));
            }
        }

        return new PoxResponse
        {
            Kind = PoxKind.Settings,
            MapiHttp = mapiHttp,
            Protocols = protocols,
            DisplayName = Text(user, "DisplayName"),
            AutoDiscoverSmtpAddress = Text(user, "AutoDiscoverSMTPAddress"),
        };
    }

    /// <summary>The request body Outlook POSTs (MS-OXDSCLI 2.2.3), for <paramref name="emailAddress"/>.</summary>
    public static byte[] Request(string emailAddress)
    {
        XNamespace request = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
        var document = new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(request + "Autodiscover",
                new XElement(request + "Request",
                    new XElement(request + "EMailAddress", emailAddress),
                    new XElement(request + "AcceptableResponseSchema", "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"))));
        using var stream = new System.IO.MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new System.Text.UTF8Encoding(false), Indent = false }))
        {
            document.Save(writer);
        }

        return stream.ToArray();
    }

    private static XElement? Child(XElement? parent, string localName) =>
        parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    private static string? Text(XElement? parent, string localName) =>
        Child(parent, localName) is { } element && element.Value.Trim() is { Length: > 0 } text ? text : null;
}
