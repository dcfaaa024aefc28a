using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Exchange.Checks;

/// <summary>
/// Each MAPI URL host is covered by a valid Exchange certificate of that server that is enabled for IIS. What IIS
/// really serves is the endpoint probe's to see in the TLS handshake; this is what Exchange has to offer.
/// </summary>
internal static class CertificateChecks
{
    public static IEnumerable<MapiHttpConfigurationResult> UrlHosts(
        MapiVirtualDirectoryFacts directory,
        IReadOnlyList<ExchangeCertificateFacts> certificates,
        DateTime nowUtc,
        int warningDays)
    {
        foreach ((string host, IReadOnlyList<string> properties) in VirtualDirectoryChecks.HostsOf(directory))
        {
            yield return Host(directory, host, properties, certificates, nowUtc, warningDays);
        }
    }

    private static MapiHttpConfigurationResult Host(
        MapiVirtualDirectoryFacts directory,
        string host,
        IReadOnlyList<string> properties,
        IReadOnlyList<ExchangeCertificateFacts> certificates,
        DateTime nowUtc,
        int warningDays)
    {
        string where = $"{host} ({string.Join(", ", properties)} of {directory.Identity})";
        var baseFinding = new ConfigurationFinding(ConfigurationCheckNames.UrlCertificate, ConfigurationArea.Certificate, CheckStatus.Pass, MapiHttpCause.None, string.Empty)
        {
            Server = directory.Server,
            Identity = directory.Identity,
            Target = host,
            Property = properties[0],
            Value = host,
        };

        ExchangeCertificateFacts[] covering = certificates
            .Where(c => !string.Equals(c.Status, "PendingRequest", StringComparison.OrdinalIgnoreCase))
            .Where(c => c.DnsNames.Any(name => CertificateFacts.NameMatches(name, host)))
            .ToArray();
        if (covering.Length == 0)
        {
            return (baseFinding with
            {
                Status = CheckStatus.Fail,
                Cause = MapiHttpCause.Certificate,
                Message = $"No Exchange certificate on {directory.Server} covers {where}: Outlook rejects the TLS connection with a name mismatch.",
                Recommendation = $"New-ExchangeCertificate -Server {PowerShellText.Quote(directory.Server)} -GenerateRequest -SubjectName {PowerShellText.Quote("CN=" + host)} " +
                                 $"-DomainName {PowerShellText.Quote(host)} -PrivateKeyExportable $true -RequestFile {PowerShellText.Quote($"C:\\Temp\\{host}.req")}" +
                                 "; submit the request to your CA, then Import-ExchangeCertificate and Enable-ExchangeCertificate -Services IIS",
                Evidence = CheckText.Evidence(("Host", host), ("Certificates", certificates.Select(Describe).ToArray())),
            }).ToResult();
        }

        // The best candidate: valid now, IIS-enabled when known, latest expiry.
        ExchangeCertificateFacts best = covering
            .OrderByDescending(c => c.NotBeforeUtc <= nowUtc && c.NotAfterUtc > nowUtc)
            .ThenByDescending(c => c.EnabledForIis != false)
            .ThenByDescending(c => c.NotAfterUtc)
            .First();
        var finding = baseFinding with
        {
            Thumbprint = best.Thumbprint,
            NotAfter = best.NotAfterUtc,
            Evidence = CheckText.Evidence(
                ("Host", host),
                ("Thumbprint", best.Thumbprint),
                ("Subject", best.Subject),
                ("Issuer", best.Issuer),
                ("NotAfter", best.NotAfterUtc),
                ("Services", best.Services is null ? "(not in the data)" : CheckText.List(best.Services)),
                ("Status", best.Status)),
        };
        string serverArg = PowerShellText.Quote(directory.Server);
        string thumbArg = PowerShellText.Quote(best.Thumbprint);

        if (best.NotAfterUtc <= nowUtc || best.NotBeforeUtc > nowUtc)
        {
            return (finding with
            {
                Status = CheckStatus.Fail,
                Cause = MapiHttpCause.Certificate,
                Message = best.NotAfterUtc <= nowUtc
                    ? $"The certificate covering {where} ({best.Subject}, {best.Thumbprint}) expired on {CheckText.Date(best.NotAfterUtc)}: Outlook rejects the connection."
                    : $"The certificate covering {where} ({best.Subject}, {best.Thumbprint}) is not valid before {CheckText.Date(best.NotBeforeUtc)}.",
                Recommendation = Renew(best, serverArg, thumbArg, host),
            }).ToResult();
        }

        if (best.EnabledForIis == false)
        {
            return (finding with
            {
                Status = CheckStatus.Fail,
                Cause = MapiHttpCause.Certificate,
                Message = $"The certificate covering {where} ({best.Subject}, {best.Thumbprint}) is not enabled for IIS (Services: {CheckText.List(best.Services!)}), so IIS serves another certificate.",
                Recommendation = $"Enable-ExchangeCertificate -Server {serverArg} -Thumbprint {thumbArg} -Services IIS",
            }).ToResult();
        }

        if (best.NotAfterUtc <= nowUtc.AddDays(warningDays))
        {
            return (finding with
            {
                Status = CheckStatus.Warning,
                Cause = MapiHttpCause.Certificate,
                Message = $"The certificate covering {where} ({best.Subject}, {best.Thumbprint}) expires on {CheckText.Date(best.NotAfterUtc)}, within {warningDays} days.",
                Recommendation = Renew(best, serverArg, thumbArg, host),
            }).ToResult();
        }

        if (best.IsSelfSigned)
        {
            return (finding with
            {
                Status = CheckStatus.Warning,
                Cause = MapiHttpCause.Certificate,
                Message = $"{where} is covered only by the self-signed certificate {best.Subject} ({best.Thumbprint}): Outlook on computers that do not trust it shows certificate warnings or fails.",
                Recommendation = $"New-ExchangeCertificate -Server {serverArg} -GenerateRequest -SubjectName {PowerShellText.Quote("CN=" + host)} -DomainName {PowerShellText.Quote(host)} " +
                                 $"-PrivateKeyExportable $true -RequestFile {PowerShellText.Quote($"C:\\Temp\\{host}.req")}; submit it to a CA the clients trust, then Import-ExchangeCertificate and Enable-ExchangeCertificate -Services IIS",
            }).ToResult();
        }

        if (best.Status is { } status && !string.Equals(status, "Valid", StringComparison.OrdinalIgnoreCase))
        {
            return (finding with
            {
                Status = CheckStatus.Warning,
                Cause = MapiHttpCause.Certificate,
                Message = $"Exchange reports the certificate covering {where} ({best.Subject}, {best.Thumbprint}) as {status}.",
                Recommendation = Renew(best, serverArg, thumbArg, host),
            }).ToResult();
        }

        string services = best.EnabledForIis == true
            ? "enabled for IIS"
            : "its IIS binding is not in the data (deserialized certificates carry no Services); the endpoint probe's TLS handshake shows the certificate IIS serves";
        return (finding with
        {
            Message = $"{where} is covered by {best.Subject} ({best.Thumbprint}), valid until {CheckText.Date(best.NotAfterUtc)}, {services}.",
        }).ToResult();
    }

    private static string Renew(ExchangeCertificateFacts certificate, string serverArg, string thumbArg, string host) =>
        certificate.IsSelfSigned
            ? $"Get-ExchangeCertificate -Server {serverArg} -Thumbprint {thumbArg} | New-ExchangeCertificate -Force -PrivateKeyExportable $true"
            : $"Get-ExchangeCertificate -Server {serverArg} -Thumbprint {thumbArg} | New-ExchangeCertificate -GenerateRequest -RequestFile {PowerShellText.Quote($"C:\\Temp\\{host}-renewal.req")}" +
              "; submit the request to the CA, then Import-ExchangeCertificate and Enable-ExchangeCertificate -Services IIS";

    private static string Describe(ExchangeCertificateFacts certificate) =>
        $"{certificate.Thumbprint} {certificate.Subject} [{CheckText.List(certificate.DnsNames)}] until {CheckText.Date(certificate.NotAfterUtc)}";
}
