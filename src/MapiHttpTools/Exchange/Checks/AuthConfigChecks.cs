using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools.Exchange.Checks;

/// <summary>
/// Server-to-server and OAuth authentication (Get-AuthConfig, Get-AuthServer): the current Auth certificate exists on
/// every server and is not expired or expiring, a next one is staged in time, and the auth servers are enabled.
/// An expired Auth certificate breaks OAuth, so its cause is Authentication (docs/design.md).
/// </summary>
internal static class AuthConfigChecks
{
    /// <summary>Microsoft's procedure for a new Auth certificate, as one line.</summary>
    public const string RenewCommand =
        "$c = New-ExchangeCertificate -KeySize 2048 -PrivateKeyExportable $true -SubjectName 'cn=Microsoft Exchange Server Auth Certificate' " +
        "-FriendlyName 'Microsoft Exchange Server Auth Certificate' -DomainName @(); " +
        "Set-AuthConfig -NewCertificateThumbprint $c.Thumbprint -NewCertificateEffectiveDate (Get-Date); Set-AuthConfig -PublishCertificate; Set-AuthConfig -ClearPreviousCertificate";

    /// <summary>Stages the next Auth certificate 48 hours ahead, so every server has it before it takes over.</summary>
    public const string StageCommand =
        "$c = New-ExchangeCertificate -KeySize 2048 -PrivateKeyExportable $true -SubjectName 'cn=Microsoft Exchange Server Auth Certificate' " +
        "-FriendlyName 'Microsoft Exchange Server Auth Certificate' -DomainName @(); " +
        "Set-AuthConfig -NewCertificateThumbprint $c.Thumbprint -NewCertificateEffectiveDate (Get-Date).AddHours(48)";

    /// <param name="certificatesByServer">Each checked server's certificates; null where they could not be read.</param>
    public static IEnumerable<MapiHttpConfigurationResult> CurrentCertificate(
        AuthConfigFacts auth,
        IReadOnlyDictionary<string, IReadOnlyList<ExchangeCertificateFacts>?> certificatesByServer,
        DateTime nowUtc,
        int warningDays)
    {
        var baseFinding = new ConfigurationFinding(ConfigurationCheckNames.AuthCertificate, ConfigurationArea.Authentication, CheckStatus.Pass, MapiHttpCause.None, string.Empty)
        {
            Identity = "Auth Configuration",
            Target = "Auth Configuration",
            Property = "CurrentCertificateThumbprint",
            Value = auth.CurrentCertificateThumbprint,
            Thumbprint = auth.CurrentCertificateThumbprint,
        };

        if (auth.CurrentCertificateThumbprint is null)
        {
            yield return (baseFinding with
            {
                Status = CheckStatus.Fail,
                Cause = MapiHttpCause.Authentication,
                Message = "Get-AuthConfig names no current Auth certificate: OAuth between servers and for Outlook fails.",
                Recommendation = RenewCommand,
            }).ToResult();
            yield break;
        }

        string thumbprint = auth.CurrentCertificateThumbprint;
        string[] readable = certificatesByServer.Where(p => p.Value is not null).Select(p => p.Key).ToArray();
        if (readable.Length == 0)
        {
            yield return (baseFinding with
            {
                Status = CheckStatus.Skipped,
                Message = $"The Auth certificate {thumbprint} could not be looked for: no server's certificates could be read.",
            }).ToResult();
            yield break;
        }

        ExchangeCertificateFacts? certificate = readable.SelectMany(s => certificatesByServer[s]!).FirstOrDefault(c => c.Thumbprint == thumbprint);
        if (certificate is null)
        {
            yield return (baseFinding with
            {
                Status = CheckStatus.Fail,
                Cause = MapiHttpCause.Authentication,
                Message = $"The current Auth certificate {thumbprint} is on none of the servers checked ({string.Join(", ", readable)}): OAuth fails.",
                Recommendation = RenewCommand,
                Evidence = CheckText.Evidence(("Thumbprint", thumbprint), ("ServersChecked", readable)),
            }).ToResult();
            yield break;
        }

        var found = baseFinding with
        {
            NotAfter = certificate.NotAfterUtc,
            Evidence = CheckText.Evidence(("Thumbprint", thumbprint), ("Subject", certificate.Subject), ("NotAfter", certificate.NotAfterUtc), ("ServersChecked", readable)),
        };
        if (certificate.NotAfterUtc <= nowUtc)
        {
            yield return (found with
            {
                Status = CheckStatus.Fail,
                Cause = MapiHttpCause.Authentication,
                Message = $"The current Auth certificate {thumbprint} expired on {CheckText.Date(certificate.NotAfterUtc)}: OAuth (hybrid, modern authentication, server-to-server) fails.",
                Recommendation = RenewCommand,
            }).ToResult();
        }
        else if (certificate.NotAfterUtc <= nowUtc.AddDays(warningDays))
        {
            yield return (found with
            {
                Status = CheckStatus.Warning,
                Cause = MapiHttpCause.Authentication,
                Message = $"The current Auth certificate {thumbprint} expires on {CheckText.Date(certificate.NotAfterUtc)}, within {warningDays} days.",
                Recommendation = auth.NextCertificateThumbprint is null ? StageCommand : null,
            }).ToResult();
        }
        else
        {
            yield return (found with
            {
                Message = $"The current Auth certificate {thumbprint} is valid until {CheckText.Date(certificate.NotAfterUtc)}.",
            }).ToResult();
        }

        foreach (string server in readable.Where(s => !certificatesByServer[s]!.Any(c => c.Thumbprint == thumbprint)))
        {
            yield return (found with
            {
                Status = CheckStatus.Fail,
                Cause = MapiHttpCause.Authentication,
                Server = server,
                Message = $"{server} does not have the current Auth certificate {thumbprint}: OAuth requests that {server} handles fail.",
                Recommendation = $"Invoke-Command -ComputerName {PowerShellText.Quote(server)} -ScriptBlock {{ Restart-Service MSExchangeServiceHost }} " +
                                 "(its AuthAdmin task deploys the Auth certificate; if it stays missing, Export-ExchangeCertificate it from a server that has it and Import-ExchangeCertificate on this one)",
            }).ToResult();
        }
    }

    public static MapiHttpConfigurationResult NextCertificate(
        AuthConfigFacts auth,
        IReadOnlyDictionary<string, IReadOnlyList<ExchangeCertificateFacts>?> certificatesByServer,
        DateTime nowUtc,
        int warningDays)
    {
        ExchangeCertificateFacts[] all = certificatesByServer.Values.Where(v => v is not null).SelectMany(v => v!).ToArray();
        ExchangeCertificateFacts? current = auth.CurrentCertificateThumbprint is null ? null : all.FirstOrDefault(c => c.Thumbprint == auth.CurrentCertificateThumbprint);
        var finding = new ConfigurationFinding(ConfigurationCheckNames.AuthNextCertificate, ConfigurationArea.Authentication, CheckStatus.Pass, MapiHttpCause.None, string.Empty)
        {
            Identity = "Auth Configuration",
            Target = "Auth Configuration",
            Property = "NextCertificateThumbprint",
            Value = auth.NextCertificateThumbprint,
            Thumbprint = auth.NextCertificateThumbprint,
            Evidence = CheckText.Evidence(
                ("NextCertificateThumbprint", auth.NextCertificateThumbprint),
                ("NextCertificateEffectiveDate", auth.NextCertificateEffectiveDateUtc),
                ("CurrentNotAfter", current?.NotAfterUtc)),
        };

        if (auth.NextCertificateThumbprint is null)
        {
            if (current is null || current.NotAfterUtc > nowUtc.AddDays(warningDays))
            {
                return (finding with
                {
                    Message = current is null
                        ? "No next Auth certificate is staged."
                        : $"No next Auth certificate is staged; none is needed before {CheckText.Date(current.NotAfterUtc.AddDays(-warningDays))}.",
                }).ToResult();
            }

            bool expired = current.NotAfterUtc <= nowUtc;
            return (finding with
            {
                Status = CheckStatus.Warning,
                Cause = MapiHttpCause.Authentication,
                Message = $"No next Auth certificate is staged, and the current one {(expired ? "expired" : "expires")} on {CheckText.Date(current.NotAfterUtc)}.",
                Recommendation = expired ? RenewCommand : StageCommand,
            }).ToResult();
        }

        ExchangeCertificateFacts? next = all.FirstOrDefault(c => c.Thumbprint == auth.NextCertificateThumbprint);
        if (next is null)
        {
            return (finding with
            {
                Status = CheckStatus.Warning,
                Cause = MapiHttpCause.Authentication,
                Message = $"The staged next Auth certificate {auth.NextCertificateThumbprint} is on none of the servers checked: when it takes over, OAuth fails.",
                Recommendation = StageCommand,
            }).ToResult();
        }

        if (next.NotAfterUtc <= nowUtc)
        {
            return (finding with
            {
                Status = CheckStatus.Warning,
                Cause = MapiHttpCause.Authentication,
                NotAfter = next.NotAfterUtc,
                Message = $"The staged next Auth certificate {next.Thumbprint} expired on {CheckText.Date(next.NotAfterUtc)}.",
                Recommendation = StageCommand,
            }).ToResult();
        }

        if (auth.NextCertificateEffectiveDateUtc is { } effective && effective <= nowUtc)
        {
            return (finding with
            {
                Status = CheckStatus.Warning,
                Cause = MapiHttpCause.Authentication,
                NotAfter = next.NotAfterUtc,
                Message = $"The next Auth certificate {next.Thumbprint} was to take over on {CheckText.Date(effective)} but is still only staged.",
                Recommendation = "Set-AuthConfig -PublishCertificate; Set-AuthConfig -ClearPreviousCertificate",
            }).ToResult();
        }

        return (finding with
        {
            NotAfter = next.NotAfterUtc,
            Message = $"The next Auth certificate {next.Thumbprint} is staged" +
                      (auth.NextCertificateEffectiveDateUtc is { } when ? $" to take over on {CheckText.Date(when)}." : "."),
        }).ToResult();
    }

    /// <summary>Every auth server (OAuth token issuer) Exchange trusts is enabled.</summary>
    public static IEnumerable<MapiHttpConfigurationResult> AuthServers(IReadOnlyList<AuthServerFacts> servers)
    {
        if (servers.Count == 0)
        {
            yield return new ConfigurationFinding(ConfigurationCheckNames.AuthServer, ConfigurationArea.Authentication, CheckStatus.Pass, MapiHttpCause.None,
                "No auth servers are configured (no OAuth partner such as Microsoft Entra ID in a hybrid deployment).")
            {
                Target = "AuthServer",
            }.ToResult();
            yield break;
        }

        foreach (AuthServerFacts server in servers)
        {
            var finding = new ConfigurationFinding(ConfigurationCheckNames.AuthServer, ConfigurationArea.Authentication, CheckStatus.Pass, MapiHttpCause.None,
                $"The auth server {server.Name} ({server.Type}) is enabled.")
            {
                Identity = server.Name,
                Target = server.Name,
                Property = "Enabled",
                Value = server.Enabled.ToString(),
                ExpectedValue = "True",
                Evidence = CheckText.Evidence(("Type", server.Type), ("AuthMetadataUrl", server.AuthMetadataUrl), ("IsDefaultAuthorizationEndpoint", server.IsDefaultAuthorizationEndpoint)),
            };
            yield return server.Enabled
                ? finding.ToResult()
                : (finding with
                {
                    Status = CheckStatus.Warning,
                    Cause = MapiHttpCause.Authentication,
                    Message = $"The auth server {server.Name} ({server.Type}) is disabled: tokens it issues (hybrid modern authentication) are refused.",
                    Recommendation = $"Set-AuthServer -Identity {PowerShellText.Quote(server.Name)} -Enabled $true",
                }).ToResult();
        }
    }
}
