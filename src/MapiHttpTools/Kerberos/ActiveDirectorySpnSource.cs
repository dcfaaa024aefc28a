using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text;
using MapiHttpTools.Iis;

namespace MapiHttpTools.Kerberos;

/// <summary>Where the SPN checks look up who holds HTTP/&lt;namespace&gt;: live Active Directory, or saved setspn output.</summary>
internal interface ISpnSource
{
    SpnFacts Lookup(string spn);
}

/// <summary>setspn output files read with <see cref="SetspnOutputParser"/>: what they list, nothing more (issue 14).</summary>
internal sealed class SetspnFileSource : ISpnSource
{
    private readonly IReadOnlyList<(string Path, SetspnReport Report)> _files;

    public SetspnFileSource(IReadOnlyList<(string Path, SetspnReport Report)> files) => _files = files;

    public SpnFacts Lookup(string spn)
    {
        var accounts = new List<SpnAccount>();
        foreach ((_, SetspnReport report) in _files)
        {
            accounts.AddRange(report.AccountsHolding(spn).Where(a => !accounts.Any(k => DistinguishedNames.Same(k.DistinguishedName, a.DistinguishedName))));
        }

        string? domain = _files.SelectMany(f => f.Report.Domains).Select(DistinguishedNames.NetbiosGuess).FirstOrDefault(d => d is not null)
                         ?? accounts.Select(a => DistinguishedNames.NetbiosGuess(a.DistinguishedName)).FirstOrDefault(d => d is not null);
        string source = "setspn output " + string.Join(", ", _files.Select(f => f.Path));
        return new SpnFacts(spn, accounts, source, domain);
    }
}

/// <summary>
/// servicePrincipalName looked up in the computer's own domain through System.DirectoryServices (issue 14), bound at run
/// time: the module references nothing that is missing on Linux, so loading it there never fails. Elsewhere than a
/// domain-joined Windows machine, every lookup is unavailable with the reason.
/// </summary>
internal sealed class ActiveDirectorySpnSource : ISpnSource
{
    private const string Assembly = ", System.DirectoryServices, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a";

    /// <summary>Null when AD can be asked from here; otherwise why not.</summary>
    public static string? UnavailableReason()
    {
        if (Environment.OSVersion.Platform != PlatformID.Win32NT)
        {
            return $"Active Directory can only be asked from Windows; this is {Environment.OSVersion.Platform}";
        }

        return Type.GetType("System.DirectoryServices.DirectorySearcher" + Assembly, throwOnError: false) is null
            ? "System.DirectoryServices is not available in this PowerShell"
            : null;
    }

    public SpnFacts Lookup(string spn)
    {
        if (UnavailableReason() is { } reason)
        {
            return SpnFacts.Unavailable(spn, reason + "; pass the output of setspn -Q with -SetspnOutputPath");
        }

        try
        {
            Type searcherType = Type.GetType("System.DirectoryServices.DirectorySearcher" + Assembly, throwOnError: true)!;
            object searcher = Activator.CreateInstance(searcherType)!;
            try
            {
                Set(searcher, "Filter", $"(servicePrincipalName={Escape(spn)})");
                object properties = LateBound.Get(searcher, "PropertiesToLoad")!;
                foreach (string name in new[] { "distinguishedName", "sAMAccountName", "objectClass", "servicePrincipalName" })
                {
                    LateBound.Call(properties, "Add", name);
                }

                string? path = LateBound.Text(LateBound.Get(LateBound.Get(searcher, "SearchRoot")!, "Path"));
                string root = string.IsNullOrEmpty(path) ? "the computer's domain" : Infrastructure.DisplayText.Safe(path);
                var accounts = new List<SpnAccount>();
                object results = LateBound.Call(searcher, "FindAll")!;
                try
                {
                    foreach (object result in LateBound.Items(results))
                    {
                        object values = LateBound.Get(result, "Properties")!;
                        string? dn = First(values, "distinguishedname");
                        if (dn is null)
                        {
                            continue;
                        }

                        accounts.Add(new SpnAccount(dn, All(values, "serviceprincipalname"))
                        {
                            SamAccountName = First(values, "samaccountname"),
                            IsComputer = All(values, "objectclass").Contains("computer", StringComparer.OrdinalIgnoreCase),
                        });
                    }
                }
                finally
                {
                    (results as IDisposable)?.Dispose();
                }

                return new SpnFacts(spn, accounts, $"Active Directory ({root})", accounts.Select(a => DistinguishedNames.NetbiosGuess(a.DistinguishedName)).FirstOrDefault(d => d is not null));
            }
            finally
            {
                (searcher as IDisposable)?.Dispose();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not domain-joined, no domain controller reachable, access denied: say so, never guess.
            return SpnFacts.Unavailable(spn, $"Active Directory could not be asked ({Infrastructure.DisplayText.Safe(ex.Message)}); pass the output of setspn -Q with -SetspnOutputPath");
        }
    }

    private static void Set(object target, string property, object value)
    {
        PropertyInfo info = target.GetType().GetProperty(property, BindingFlags.Public | BindingFlags.Instance) ?? throw new MissingMemberException(target.GetType().FullName, property);
        try
        {
            info.SetValue(target, value, null);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
        }
    }

    private static string? First(object properties, string name) => All(properties, name).FirstOrDefault();

    private static IReadOnlyList<string> All(object properties, string name)
    {
        object? values = properties is IDictionary dictionary && dictionary.Contains(name) ? dictionary[name] : null;
        return LateBound.Items(values).Select(v => v.ToString() ?? string.Empty).Where(v => v.Length > 0).ToArray();
    }

    /// <summary>RFC 4515 escaping of a value in an LDAP filter: an SPN from data must not change the filter.</summary>
    internal static string Escape(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            text.Append(c switch
            {
                '*' => @"\2a",
                '(' => @"\28",
                ')' => @"\29",
                '\\' => @"\5c",
                '\0' => @"\00",
                _ => c.ToString(),
            });
        }

        return text.ToString();
    }
}
