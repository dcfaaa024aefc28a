using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Iis;

/// <summary>
/// The three sides of /mapi's Windows authentication (issue 14): what Exchange's virtual directory says
/// (IISAuthenticationMethods), what IIS will offer (the windowsAuthentication providers with useKernelMode and
/// useAppPoolCredentials), and what the endpoint probe saw offered on the wire. Null sides were not read.
/// </summary>
internal sealed record WindowsAuthenticationSides(
    string Location,
    LocationSecurity Iis,
    IReadOnlyList<string>? VirtualDirectoryMethods,
    IReadOnlyList<string>? WireOffered,
    bool? AlternateServiceAccountConfigured);

/// <summary>
/// Compares the three sides in one finding, facts in and finding out (issue 12). Negotiate in the vdir but not among
/// the providers, NTLM ahead of Negotiate, or kernel-mode authentication while an Alternate Service Account holds the
/// namespace's HTTP SPN break Kerberos: Authentication, with the exact IIS command.
/// </summary>
internal static class AuthenticationProviderJudgement
{
    private const string Providers = "system.webServer/security/authentication/windowsAuthentication/providers";
    private const string Windows = "system.webServer/security/authentication/windowsAuthentication";

    public static (Finding Finding, IReadOnlyList<KeyValuePair<string, object?>> Evidence) Compare(WindowsAuthenticationSides sides)
    {
        string location = sides.Location;
        IReadOnlyList<string> providers = sides.Iis.WindowsAuthenticationProviders;
        string[] providerSchemes = providers.Select(SchemeOf).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        string[] vdir = sides.VirtualDirectoryMethods is { } methods ? AuthenticationSchemes.Normalize(methods).ToArray() : Array.Empty<string>();
        var evidence = new List<KeyValuePair<string, object?>>
        {
            new("IISAuthenticationMethods", sides.VirtualDirectoryMethods?.Select(m => DisplayText.Safe(m)).ToArray()),
            new("WindowsAuthenticationProviders", providers.Select(p => DisplayText.Safe(p)).ToArray()),
            new("useKernelMode", sides.Iis.UseKernelMode),
            new("useAppPoolCredentials", sides.Iis.UseAppPoolCredentials),
            new("OfferedOnTheWire", sides.WireOffered?.Select(o => DisplayText.Safe(o)).ToArray()),
            new("AlternateServiceAccountConfigured", sides.AlternateServiceAccountConfigured),
        };

        var failures = new List<(string Problem, string Fix)>();
        var warnings = new List<(string Problem, string Fix, MapiHttpCause Cause)>();
        string shownProviders = providers.Count == 0 ? "none" : string.Join(", ", providers.Select(p => DisplayText.Safe(p)));
        foreach (string scheme in new[] { "Negotiate", "NTLM" })
        {
            if (vdir.Contains(scheme, StringComparer.OrdinalIgnoreCase) && !providerSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add(($"IISAuthenticationMethods has {AuthenticationSchemes.ToExchangeMethod(scheme)}, but the windowsAuthentication providers of {location} are {shownProviders}, so IIS never offers {scheme}",
                    $"Add-WebConfigurationProperty -PSPath IIS:\\ -Location '{location}' -Filter {Providers} -Name . -Value @{{value='{scheme}'}}{(scheme == "Negotiate" ? " -AtIndex 0" : string.Empty)}"));
            }
        }

        int negotiate = IndexOf(providers, "Negotiate");
        int ntlm = IndexOf(providers, "NTLM");
        if (negotiate >= 0 && ntlm >= 0 && ntlm < negotiate)
        {
            string problem = $"the providers of {location} list NTLM before Negotiate ({shownProviders}): clients that take the first method they support use NTLM, never Kerberos";
            string fix = $"Remove-WebConfigurationProperty -PSPath IIS:\\ -Location '{location}' -Filter {Providers} -Name . -AtElement @{{value='NTLM'}}; Add-WebConfigurationProperty -PSPath IIS:\\ -Location '{location}' -Filter {Providers} -Name . -Value @{{value='NTLM'}}";
            if (sides.AlternateServiceAccountConfigured == true)
            {
                failures.Add((problem + ", although an Alternate Service Account is set up for Kerberos", fix));
            }
            else
            {
                warnings.Add((problem, fix, MapiHttpCause.Authentication));
            }
        }

        if (sides.AlternateServiceAccountConfigured == true && sides.Iis.UseKernelMode)
        {
            failures.Add(($"at {location} useKernelMode is true: HTTP.sys decrypts Kerberos tickets with the computer account{(sides.Iis.UseAppPoolCredentials ? " (useAppPoolCredentials uses the pool identity, LocalSystem: the computer account too)" : string.Empty)}, but clients hold tickets for the Alternate Service Account's HTTP SPN, so Kerberos fails",
                $"Set-WebConfigurationProperty -PSPath IIS:\\ -Location '{location}' -Filter {Windows} -Name useKernelMode -Value $false (as Exchange's setup leaves it)"));
        }
        else if (sides.AlternateServiceAccountConfigured == true && sides.Iis.UseAppPoolCredentials)
        {
            warnings.Add(($"at {location} useAppPoolCredentials is true; it only matters with kernel mode, where it would use the pool identity (LocalSystem, the computer account) instead of the Alternate Service Account",
                $"Set-WebConfigurationProperty -PSPath IIS:\\ -Location '{location}' -Filter {Windows} -Name useAppPoolCredentials -Value $false", MapiHttpCause.Authentication));
        }

        if (sides.WireOffered is { } wire && sides.Iis.WindowsAuthentication)
        {
            string[] missingOnWire = providerSchemes.Where(p => !wire.Contains(p, StringComparer.OrdinalIgnoreCase)).ToArray();
            string[] extraOnWire = ServerNames.WindowsSchemes(wire).Where(w => !providerSchemes.Contains(w, StringComparer.OrdinalIgnoreCase)).ToArray();
            if (missingOnWire.Length > 0)
            {
                warnings.Add(($"IIS offers {string.Join(", ", missingOnWire)} at {location}, but the probe did not see it in WWW-Authenticate: a load balancer or reverse proxy in between rewrites the challenge, or the probe reached another server",
                    "Probe the server directly (Test-MapiHttpEndpoint -TargetAddress <server address>) and compare with the namespace; check the load balancer's or proxy's authentication settings for /mapi.", MapiHttpCause.Network));
            }

            if (extraOnWire.Length > 0)
            {
                warnings.Add(($"the probe saw {string.Join(", ", extraOnWire.Select(e => DisplayText.Safe(e)))} offered, which the providers of {location} do not list: the answer came from a server configured otherwise",
                    "Compare the providers on every server behind the namespace: Get-WebConfigurationProperty -PSPath IIS:\\ -Location '" + location + "' -Filter " + Providers + " -Name Collection", MapiHttpCause.Authentication));
            }
        }

        if (failures.Count > 0)
        {
            return (new Finding(CheckStatus.Fail, MapiHttpCause.Authentication, Sentence(failures.Select(f => f.Problem)), string.Join("; ", failures.Select(f => f.Fix))), evidence);
        }

        if (warnings.Count > 0)
        {
            return (new Finding(CheckStatus.Warning, warnings[0].Cause, Sentence(warnings.Select(w => w.Problem)), string.Join("; ", warnings.Select(w => w.Fix))), evidence);
        }

        string sides3 = $"IISAuthenticationMethods {(sides.VirtualDirectoryMethods is null ? "not read" : string.Join(", ", sides.VirtualDirectoryMethods.Select(m => DisplayText.Safe(m))))}; " +
                        $"IIS providers {shownProviders} (useKernelMode {sides.Iis.UseKernelMode}); " +
                        $"on the wire {(sides.WireOffered is null ? "not probed" : string.Join(", ", sides.WireOffered.Select(o => DisplayText.Safe(o))))}";
        return (new Finding(CheckStatus.Pass, MapiHttpCause.None, $"Windows authentication of {location} agrees on every side read: {sides3}."), evidence);
    }

    private static string Sentence(IEnumerable<string> problems)
    {
        string text = string.Join("; ", problems);
        return char.ToUpperInvariant(text[0]) + text.Substring(1) + ".";
    }

    /// <summary>The HTTP scheme of a provider ("Negotiate:Kerberos" is offered as Negotiate).</summary>
    private static string SchemeOf(string provider)
    {
        string name = provider.Split(':')[0].Trim();
        return name.Equals("NTLM", StringComparison.OrdinalIgnoreCase) ? "NTLM" : name.Equals("Negotiate", StringComparison.OrdinalIgnoreCase) ? "Negotiate" : name;
    }

    private static int IndexOf(IReadOnlyList<string> providers, string scheme)
    {
        for (int i = 0; i < providers.Count; i++)
        {
            if (SchemeOf(providers[i]).Equals(scheme, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
