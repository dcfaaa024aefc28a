using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace MapiHttpTools.Lab;

/// <summary>
/// The HTTP behaviour of an Exchange Client Access front end as the MAPI/HTTP probe meets it
/// (MS-OXCMAPIHTTP for /mapi, IIS and HTTP.sys for the rest), with the configured fault applied.
/// </summary>
internal sealed class ExchangeFrontEnd
{
    public const string SniItemKey = "MapiHttpTools.Lab.SniHostName";

    private const string BodyItemKey = "MapiHttpTools.Lab.RequestBody";

    private const string MapiContentType = "application/mapi-http";

    /// <summary>What HTTP.sys sends when the application pool behind a URL is stopped.</summary>
    private const string HttpSysServiceUnavailable =
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"\"http://www.w3.org/TR/html4/strict.dtd\">\r\n" +
        "<HTML><HEAD><TITLE>Service Unavailable</TITLE>\r\n" +
        "<META HTTP-EQUIV=\"Content-Type\" Content=\"text/html; charset=us-ascii\"></HEAD>\r\n" +
        "<BODY><h2>Service Unavailable</h2>\r\n" +
        "<hr><p>HTTP Error 503. The service is unavailable.</p>\r\n" +
        "</BODY></HTML>\r\n";

    private const string IisNotFound =
        "<html><head><title>404 - File or directory not found.</title></head>" +
        "<body><h2>404 - File or directory not found.</h2>" +
        "<h3>The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.</h3></body></html>";

    private static readonly HashSet<string> HealthCheckVirtualDirectories = new(StringComparer.OrdinalIgnoreCase)
    {
        "mapi", "owa", "ews", "Microsoft-Server-ActiveSync", "oab", "ecp", "autodiscover", "rpc",
    };

    private static readonly HashSet<string> EmsmdbRequestTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connect", "Execute", "Disconnect", "NotificationWait", "PING",
    };

    private static readonly HashSet<string> NspiRequestTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "Bind", "Unbind", "CompareMIds", "DNToMId", "GetMatches", "GetPropList", "GetProps", "GetSpecialTable",
        "GetTemplateInfo", "ModLinkAtt", "ModProps", "QueryColumns", "QueryRows", "ResolveNames", "ResortRestriction",
        "SeekEntries", "UpdateStat", "GetMailboxUrl", "GetAddressBookUrl", "PING",
    };

    private readonly LabOptions _options;
    private readonly CancellationToken _stopping;
    private readonly string _feShortName;
    private readonly string _beShortName;
    private readonly List<LabRequest> _requests = new();

    public ExchangeFrontEnd(LabOptions options, CancellationToken stopping)
    {
        _options = options;
        _stopping = stopping;
        _feShortName = ShortName(options.ServerName);
        _beShortName = ShortName(options.BackEndServer);
    }

    public IReadOnlyList<LabRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToArray();
            }
        }
    }

    public async Task HandleAsync(HttpContext context)
    {
        DateTime startTime = DateTime.UtcNow;
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        CancellationToken token = aborted.Token;
        try
        {
            await RecordAsync(context, token).ConfigureAwait(false);

            if (_options.Fault == LabFault.Hang)
            {
                // Never answer: hold the request (no thread) until the client leaves or the server is disposed.
                await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
            }

            if (_options.Fault == LabFault.Slow)
            {
                await Task.Delay(_options.SlowDelay, token).ConfigureAwait(false);
            }

            await DispatchAsync(context, startTime, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            context.Abort();
        }
        catch (IOException) when (token.IsCancellationRequested)
        {
            context.Abort();
        }
    }

    private Task DispatchAsync(HttpContext context, DateTime startTime, CancellationToken token)
    {
        string[] segments = (context.Request.Path.Value ?? "/").Split('/', StringSplitOptions.RemoveEmptyEntries);
        bool underMapi = segments.Length > 0 && segments[0].Equals("mapi", StringComparison.OrdinalIgnoreCase);

        if (_options.Fault == LabFault.FrontEndDown || (underMapi && _options.Fault == LabFault.MapiAppPoolStopped))
        {
            return ServiceUnavailableAsync(context, token);
        }

        if (underMapi && _options.Fault == LabFault.MapiMissing)
        {
            return NotFoundAsync(context, token);
        }

        bool isRead = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
        if (isRead && segments.Length == 2 && HealthCheckVirtualDirectories.Contains(segments[0]) &&
            segments[1].Equals("healthcheck.htm", StringComparison.OrdinalIgnoreCase))
        {
            return HealthCheckAsync(context, segments[0], token);
        }

        if (underMapi && segments.Length == 2 &&
            (segments[1].Equals("emsmdb", StringComparison.OrdinalIgnoreCase) || segments[1].Equals("nspi", StringComparison.OrdinalIgnoreCase)))
        {
            return MapiEndpointAsync(context, segments[1].ToLowerInvariant(), startTime, token);
        }

        if (segments.Length == 2 && segments[0].Equals("autodiscover", StringComparison.OrdinalIgnoreCase) &&
            segments[1].Equals("autodiscover.xml", StringComparison.OrdinalIgnoreCase))
        {
            return AutodiscoverAsync(context, token);
        }

        return NotFoundAsync(context, token);
    }

    private Task HealthCheckAsync(HttpContext context, string virtualDirectory, CancellationToken token)
    {
        AddIisHeaders(context);
        if (_options.HealthPageStatus is { } statuses && statuses.TryGetValue(virtualDirectory.ToLowerInvariant(), out int status))
        {
            return WriteTextAsync(context, status, "text/html", $"<html><body><h1>HTTP Error {status}</h1></body></html>", token);
        }

        return WriteTextAsync(context, StatusCodes.Status200OK, "text/html", "200 OK<br/>" + _options.ServerName + Hostile, token);
    }

    private Task ServiceUnavailableAsync(HttpContext context, CancellationToken token)
    {
        // HTTP.sys answers itself: no IIS, no Exchange headers, and it closes the connection.
        context.Response.Headers.Server = "Microsoft-HTTPAPI/2.0";
        context.Response.Headers.Connection = "close";
        return WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, "text/html; charset=us-ascii", HttpSysServiceUnavailable, token);
    }

    private Task NotFoundAsync(HttpContext context, CancellationToken token)
    {
        AddIisHeaders(context);
        return WriteTextAsync(context, StatusCodes.Status404NotFound, "text/html", IisNotFound, token);
    }

    private async Task MapiEndpointAsync(HttpContext context, string endpoint, DateTime startTime, CancellationToken token)
    {
        AddIisHeaders(context);
        string? authorization = context.Request.Headers.Authorization;
        bool anonymous = string.IsNullOrEmpty(authorization);
        bool admitted = anonymous ? _options.Fault == LabFault.AnonymousAllowed : IsLabUser(authorization!);
        if (anonymous && _options.Fault == LabFault.BasicDowngrade &&
            string.Equals(context.Request.Headers["X-RequestType"], "PING", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{RealmOf(context)}\"";
            context.Response.ContentLength = 0;
            return;
        }

        if (!admitted)
        {
            Challenge(context);
            return;
        }

        string method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            await WriteTextAsync(context, StatusCodes.Status200OK, "text/html", EndpointPage(context, endpoint, anonymous), token).ConfigureAwait(false);
            return;
        }

        IHeaderDictionary request = context.Request.Headers;
        string? requestType = request["X-RequestType"];
        string? requestId = request["X-RequestId"];
        string? clientInfo = request["X-ClientInfo"];
        IHeaderDictionary response = context.Response.Headers;
        response.CacheControl = "private";
        response["X-ServerApplication"] = "Exchange/" + _options.ExchangeBuild;
        EchoIfPresent(response, "X-RequestType", requestType);
        EchoIfPresent(response, "X-RequestId", requestId);
        EchoIfPresent(response, "X-ClientInfo", clientInfo);
        response["X-BEServer"] = _beShortName;
        response["X-CalculatedBETarget"] = _options.BackEndServer.ToLowerInvariant();
        response["X-DiagInfo"] = _beShortName;

        if (!HttpMethods.IsPost(method))
        {
            await FailAsync(context, 2, "Invalid Verb", $"The verb {method} is not supported.", token).ConfigureAwait(false);
            return;
        }

        string? missing = string.IsNullOrEmpty(requestType) ? "X-RequestType" : string.IsNullOrEmpty(requestId) ? "X-RequestId" : string.IsNullOrEmpty(clientInfo) ? "X-ClientInfo" : null;
        if (missing is not null)
        {
            await FailAsync(context, 7, "Missing Header", $"The request is missing the required header {missing}.", token).ConfigureAwait(false);
            return;
        }

        string contentType = context.Request.ContentType ?? string.Empty;
        if (!contentType.Split(';')[0].Trim().Equals(MapiContentType, StringComparison.OrdinalIgnoreCase))
        {
            await FailAsync(context, 4, "Invalid Header", $"The Content-Type '{contentType}' is not {MapiContentType}.", token).ConfigureAwait(false);
            return;
        }

        HashSet<string> known = endpoint == "emsmdb" ? EmsmdbRequestTypes : NspiRequestTypes;
        if (!known.Contains(requestType!))
        {
            await FailAsync(context, 5, "Invalid Request Type", $"The request type '{requestType}' is not valid for /mapi/{endpoint}/.", token).ConfigureAwait(false);
            return;
        }

        bool isPing = requestType!.Equals("PING", StringComparison.OrdinalIgnoreCase);
        if (isPing && _options.PingResponseCode is int failure)
        {
            await FailAsync(context, failure, "PING failed", $"The request failed with X-ResponseCode {failure}.", token).ConfigureAwait(false);
            return;
        }

        response["X-RequestType"] = isPing ? "PING" : requestType;
        response["X-ResponseCode"] = "0";
        response["X-ExpirationInfo"] = "900000";
        response["X-PendingPeriod"] = "15000";
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = MapiContentType;

        // No Content-Length: Kestrel sends the body chunked, one chunk per flush, as Exchange streams it.
        await context.Response.StartAsync(token).ConfigureAwait(false);
        await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes("PROCESSING\r\n"), token).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(token).ConfigureAwait(false);

        long elapsed = Math.Max(0, (long)(DateTime.UtcNow - startTime).TotalMilliseconds);
        var tail = new StringBuilder("DONE\r\n");
        if (!isPing)
        {
            tail.Append("X-ResponseCode: 0\r\n");
        }

        tail.Append("X-ElapsedTime: ").Append(elapsed.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        tail.Append("X-StartTime: ").Append(startTime.ToString("R", CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes(tail.ToString()), token).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(token).ConfigureAwait(false);
    }

    /// <summary>
    /// POX Autodiscover as Exchange answers Outlook (MS-OXDSCLI; issue 14): 401 with Negotiate, NTLM and Basic to an
    /// anonymous request; for the lab user the settings, with the mapiHttp block only when the request carried
    /// X-MapiHttpCapability: 1 and the fault does not turn it off; redirects and errors by fault.
    /// </summary>
    private async Task AutodiscoverAsync(HttpContext context, CancellationToken token)
    {
        AddIisHeaders(context);
        string? authorization = context.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(authorization) || !IsLabUser(authorization))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = new StringValues(new[] { "Negotiate", "NTLM", $"Basic realm=\"{RealmOf(context)}\"" });
            context.Response.ContentLength = 0;
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await WriteTextAsync(context, StatusCodes.Status200OK, "text/xml; charset=utf-8", PoxError(600, "Invalid Request"), token).ConfigureAwait(false);
            return;
        }

        string email = EmailOf(context.Items[BodyItemKey] as byte[] ?? Array.Empty<byte>());
        string host = context.Request.Host.Value ?? LabServer.NamespaceHost;
        string self = $"https://{host}/autodiscover/autodiscover.xml";
        string body;
        if (email.Length == 0 || _options.Fault == LabFault.AutodiscoverError600)
        {
            body = PoxError(600, "Invalid Request");
        }
        else if (_options.Fault == LabFault.AutodiscoverRedirectLoop)
        {
            body = PoxRedirect("redirectUrl", "RedirectUrl", self);
        }
        else if (_options.Fault == LabFault.AutodiscoverRedirect && !email.Equals(LabServer.RedirectedAddress, StringComparison.OrdinalIgnoreCase))
        {
            body = PoxRedirect("redirectAddr", "RedirectAddr", LabServer.RedirectedAddress);
        }
        else if (_options.Fault == LabFault.AutodiscoverRedirect && !context.Request.QueryString.Value!.Contains("hop=2", StringComparison.Ordinal))
        {
            body = PoxRedirect("redirectUrl", "RedirectUrl", self + "?hop=2");
        }
        else
        {
            bool capable = string.Equals(context.Request.Headers["X-MapiHttpCapability"], "1", StringComparison.Ordinal);
            string mapiHost = _options.Fault == LabFault.AutodiscoverWrongUrls ? $"{LabCertificates.WrongHostName}:{context.Request.Host.Port}" : host;
            body = PoxSettings(email, host, capable && _options.Fault != LabFault.AutodiscoverMapiHttpOff ? mapiHost : null);
        }

        await WriteTextAsync(context, StatusCodes.Status200OK, "text/xml; charset=utf-8", body, token).ConfigureAwait(false);
    }

    private static string EmailOf(byte[] body)
    {
        try
        {
            var document = System.Xml.Linq.XDocument.Parse(Encoding.UTF8.GetString(body));
            return document.Descendants().FirstOrDefault(e => e.Name.LocalName == "EMailAddress")?.Value.Trim() ?? string.Empty;
        }
        catch (System.Xml.XmlException)
        {
            return string.Empty;
        }
    }

    private const string PoxHead = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">\r\n";

    private static string PoxError(int code, string message) =>
        PoxHead + "  <Response>\r\n    <Error Time=\"16:56:32.6164027\" Id=\"1054084152\">\r\n" +
        $"      <ErrorCode>{code}</ErrorCode>\r\n      <Message>{message}</Message>\r\n      <DebugData />\r\n    </Error>\r\n  </Response>\r\n</Autodiscover>\r\n";

    private static string PoxRedirect(string action, string element, string value) =>
        PoxHead + "  <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\r\n    <Account>\r\n" +
        $"      <AccountType>email</AccountType>\r\n      <Action>{action}</Action>\r\n      <{element}>{System.Security.SecurityElement.Escape(value)}</{element}>\r\n" +
        "    </Account>\r\n  </Response>\r\n</Autodiscover>\r\n";

    private string PoxSettings(string email, string host, string? mapiHost)
    {
        string escapedEmail = System.Security.SecurityElement.Escape(email);
        string mailboxId = $"{LabServer.MailboxGuid}@contoso.lab";
        var xml = new StringBuilder(PoxHead);
        xml.Append("  <Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">\r\n");
        xml.Append("    <User>\r\n      <DisplayName>Lab User</DisplayName>\r\n");
        xml.Append("      <LegacyDN>/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=labuser</LegacyDN>\r\n");
        xml.Append("      <AutoDiscoverSMTPAddress>").Append(escapedEmail).Append("</AutoDiscoverSMTPAddress>\r\n");
        xml.Append("      <DeploymentId>30c3a927-42aa-5de8-91e3-8e5b4655ed00</DeploymentId>\r\n    </User>\r\n");
        xml.Append("    <Account>\r\n      <AccountType>email</AccountType>\r\n      <Action>settings</Action>\r\n      <MicrosoftOnline>False</MicrosoftOnline>\r\n");
        if (mapiHost is not null)
        {
            xml.Append("      <Protocol Type=\"mapiHttp\" Version=\"1\">\r\n");
            foreach ((string element, string endpoint) in new[] { ("MailStore", "emsmdb"), ("AddressBook", "nspi") })
            {
                string url = $"https://{mapiHost}/mapi/{endpoint}/?MailboxId={mailboxId}";
                xml.Append("        <").Append(element).Append(">\r\n");
                xml.Append("          <InternalUrl>").Append(url).Append("</InternalUrl>\r\n");
                xml.Append("          <ExternalUrl>").Append(url).Append("</ExternalUrl>\r\n");
                xml.Append("        </").Append(element).Append(">\r\n");
            }

            xml.Append("      </Protocol>\r\n");
        }

        string hostOnly = host.Split(':')[0];
        xml.Append("      <Protocol>\r\n        <Type>EXCH</Type>\r\n        <Server>").Append(mailboxId).Append("</Server>\r\n");
        xml.Append("        <ServerDN>/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=").Append(mailboxId).Append("</ServerDN>\r\n");
        xml.Append("        <ServerVersion>73C18880</ServerVersion>\r\n        <AuthPackage>Anonymous</AuthPackage>\r\n");
        xml.Append("        <ASUrl>https://").Append(host).Append("/EWS/Exchange.asmx</ASUrl>\r\n        <ServerExclusiveConnect>off</ServerExclusiveConnect>\r\n      </Protocol>\r\n");
        xml.Append("      <Protocol>\r\n        <Type>EXPR</Type>\r\n        <Server>").Append(hostOnly).Append("</Server>\r\n");
        xml.Append("        <SSL>On</SSL>\r\n        <AuthPackage>Ntlm</AuthPackage>\r\n        <ASUrl>https://").Append(host).Append("/EWS/Exchange.asmx</ASUrl>\r\n        <ServerExclusiveConnect>on</ServerExclusiveConnect>\r\n      </Protocol>\r\n");
        xml.Append("      <Protocol>\r\n        <Type>WEB</Type>\r\n        <Internal>\r\n          <OWAUrl AuthenticationMethod=\"Basic, Fba\">https://").Append(host).Append("/owa/</OWAUrl>\r\n        </Internal>\r\n      </Protocol>\r\n");
        xml.Append("    </Account>\r\n  </Response>\r\n</Autodiscover>\r\n");
        return xml.ToString();
    }

    private void Challenge(HttpContext context)
    {
        var offered = new List<string>();
        foreach (string method in _options.AuthenticationMethods)
        {
            string? challenge = method.ToUpperInvariant() switch
            {
                "NEGOTIATE" when _options.Fault != LabFault.NegotiateMissing => "Negotiate",
                "NTLM" => "NTLM",
                "BASIC" => $"Basic realm=\"{RealmOf(context)}\"",
                "OAUTH" or "BEARER" =>
                    "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", " +
                    "trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", " +
                    "token_types=\"app_asserted_user_v1 service_asserted_app_v1\", " +
                    "authorization_uri=\"https://login.windows.net/common/oauth2/authorize\"",
                _ => null,
            };
            if (challenge is not null && !offered.Contains(challenge))
            {
                offered.Add(challenge);
            }
        }

        if (_options.Fault == LabFault.HostileText)
        {
            offered.Add("NTLM realm=\"" + LabServer.HostileText + "\"");
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = new StringValues(offered.ToArray());
        string reason = string.IsNullOrEmpty(context.Request.Headers.Authorization) ? "Anonymous request" : "Logon failed";
        context.Response.Headers["X-FailureContext"] = "FrontEnd;401;" + Convert.ToBase64String(Encoding.UTF8.GetBytes(reason + " for " + context.Request.Path.Value)) + ";;" + Hostile;
        context.Response.ContentLength = 0;
    }

    private static Task FailAsync(HttpContext context, int responseCode, string title, string detail, CancellationToken token)
    {
        context.Response.Headers["X-ResponseCode"] = responseCode.ToString(CultureInfo.InvariantCulture);
        string body = $"<html><head><title>{title}</title></head><body><h2>{title}</h2><p>{detail}</p></body></html>";
        return WriteTextAsync(context, StatusCodes.Status200OK, "text/html", body, token);
    }

    private string EndpointPage(HttpContext context, string endpoint, bool anonymous)
    {
        string identity = anonymous ? "NT AUTHORITY\\ANONYMOUS LOGON" : _options.BasicUser;
        return "<html><head><title>Exchange MAPI/HTTP Connectivity Endpoint</title></head><body>" +
               "<p>Exchange MAPI/HTTP Connectivity Endpoint<br><br>" +
               $"Version: {_options.ExchangeBuild}<br>Vdir Path: /mapi/{endpoint}/<br><br>" +
               $"<b>User:</b> {identity}<br><b>Front end server:</b> {_feShortName}<br><b>Back end server:</b> {_beShortName}<br>" +
               $"<b>Host:</b> {context.Request.Host.Value}</p></body></html>";
    }

    private bool IsLabUser(string authorization)
    {
        const string scheme = "Basic ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization.Substring(scheme.Length).Trim()));
        }
        catch (FormatException)
        {
            return false;
        }

        int colon = decoded.IndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        bool userMatches = decoded.Substring(0, colon).Equals(_options.BasicUser, StringComparison.OrdinalIgnoreCase);
        bool passwordMatches = CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(decoded.Substring(colon + 1)), Encoding.UTF8.GetBytes(_options.BasicPassword));
        return userMatches & passwordMatches;
    }

    private void AddIisHeaders(HttpContext context)
    {
        IHeaderDictionary headers = context.Response.Headers;
        headers.Server = "Microsoft-IIS/10.0" + Hostile;
        headers["request-id"] = Guid.NewGuid().ToString("D");
        headers["X-FEServer"] = _feShortName + Hostile;
        headers["X-Powered-By"] = "ASP.NET";
    }

    /// <summary>Records a request another handler (the <see cref="LabFault.HostileText"/> one) received.</summary>
    internal void Record(LabRequest request)
    {
        lock (_requests)
        {
            _requests.Add(request);
        }
    }

    private async Task RecordAsync(HttpContext context, CancellationToken token)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, token).ConfigureAwait(false);

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, StringValues> header in context.Request.Headers)
        {
            headers[header.Key] = header.Value.ToString();
        }

        string? sni = null;
        IDictionary<object, object?>? items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is not null && items.TryGetValue(SniItemKey, out object? recorded))
        {
            sni = recorded as string;
        }

        sni ??= context.Features.Get<ITlsHandshakeFeature>()?.HostName;
        string? host = context.Request.Headers.Host.Count > 0 ? context.Request.Headers.Host.ToString() : null;
        context.Items[BodyItemKey] = body.ToArray();
        var entry = new LabRequest(context.Request.Method, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? string.Empty, host, string.IsNullOrEmpty(sni) ? null : sni, headers, body.ToArray());
        lock (_requests)
        {
            _requests.Add(entry);
        }
    }

    /// <summary>The hostile suffix of <see cref="LabFault.HostileText"/>; empty otherwise.</summary>
    private string Hostile => _options.Fault == LabFault.HostileText ? LabServer.HostileText : string.Empty;

    private static string RealmOf(HttpContext context)
    {
        string host = context.Request.Host.Host;
        return string.IsNullOrEmpty(host) ? LabServer.NamespaceHost : host;
    }

    private static void EchoIfPresent(IHeaderDictionary headers, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            headers[name] = value;
        }
    }

    private static async Task WriteTextAsync(HttpContext context, int status, string contentType, string text, CancellationToken token)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(bytes, token).ConfigureAwait(false);
        }
    }

    private static string ShortName(string fqdn)
    {
        int dot = fqdn.IndexOf('.');
        return dot < 0 ? fqdn : fqdn.Substring(0, dot);
    }
}
