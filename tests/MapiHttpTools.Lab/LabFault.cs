namespace MapiHttpTools.Lab;

/// <summary>What is wrong with a lab front end (one fault per server instance).</summary>
public enum LabFault
{
    /// <summary>A healthy Exchange front end.</summary>
    None,

    /// <summary>MSExchangeMapiFrontEndAppPool stopped: HTTP.sys answers 503 for everything under /mapi; other vdirs healthy.</summary>
    MapiAppPoolStopped,

    /// <summary>The whole front end is down: HTTP.sys answers 503 for every path.</summary>
    FrontEndDown,

    /// <summary>The /mapi virtual directory does not exist: 404 under /mapi; other vdirs healthy.</summary>
    MapiMissing,

    /// <summary>Negotiate (Kerberos) removed from /mapi: 401s offer NTLM only.</summary>
    NegotiateMissing,

    /// <summary>Anonymous access enabled on /mapi: anonymous POSTs are served (a security misconfiguration).</summary>
    AnonymousAllowed,

    /// <summary>Serves <see cref="LabCertificates.Expired"/>.</summary>
    CertificateExpired,

    /// <summary>Serves <see cref="LabCertificates.WrongName"/>.</summary>
    CertificateWrongName,

    /// <summary>Serves <see cref="LabCertificates.Untrusted"/> (self-signed).</summary>
    CertificateUntrusted,

    /// <summary>Every response delayed by <see cref="LabOptions.SlowDelay"/>, then normal.</summary>
    Slow,

    /// <summary>TCP and TLS accepted, no HTTP request ever answered.</summary>
    Hang,

    /// <summary>TCP accepted, then reset (RST) at the TLS handshake.</summary>
    ConnectionReset,

    /// <summary>Serves <see cref="LabCertificates.NotYetValid"/>.</summary>
    CertificateNotYetValid,

    /// <summary>Serves <see cref="LabCertificates.WeakKey"/> (RSA 1024).</summary>
    CertificateWeakKey,

    /// <summary>
    /// Offers Negotiate and NTLM to the anonymous Connect/Bind, then answers an unauthenticated PING with a Basic
    /// challenge only (and accepts the lab user's Basic credentials): a server that tries to downgrade a client to Basic.
    /// </summary>
    BasicDowngrade,

    /// <summary>
    /// Healthy, but its Server, X-FEServer, X-FailureContext and WWW-Authenticate headers and its health page carry
    /// ESC and BEL (<see cref="LabServer.HostileText"/>): a server that tries to drive the admin's terminal.
    /// </summary>
    HostileText,

    /// <summary>
    /// /autodiscover/autodiscover.xml answers without the mapiHttp block even to X-MapiHttpCapability: 1, as Exchange
    /// does when Set-OrganizationConfig -MapiHttpEnabled $false (issue 14).
    /// </summary>
    AutodiscoverMapiHttpOff,

    /// <summary>The mapiHttp block points at https://wrong.contoso.lab (a name outside the certificate and DNS), as after a wrong Set-MapiVirtualDirectory.</summary>
    AutodiscoverWrongUrls,

    /// <summary>
    /// A redirect chain: redirectAddr to <see cref="LabServer.RedirectedAddress"/>, then redirectUrl to ?hop=2 of the same
    /// host, then the settings.
    /// </summary>
    AutodiscoverRedirect,

    /// <summary>Every POX request gets &lt;Error&gt;&lt;ErrorCode&gt;600&lt;/ErrorCode&gt;&lt;Message&gt;Invalid Request&lt;/Message&gt;.</summary>
    AutodiscoverError600,

    /// <summary>Every POX request gets redirectUrl back to the same URL: a loop a client must bound.</summary>
    AutodiscoverRedirectLoop,
}
