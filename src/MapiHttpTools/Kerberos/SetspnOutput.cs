using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Kerberos;

/// <summary>
/// One Active Directory account that holds service principal names (issue 14): its distinguished name, the SPNs listed
/// under it, and what live AD adds (sAMAccountName, whether it is a computer); setspn's text gives neither.
/// </summary>
internal sealed record SpnAccount(string DistinguishedName, IReadOnlyList<string> ServicePrincipalNames)
{
    /// <summary>sAMAccountName ("EXCH-ASA$"), where live AD gave it.</summary>
    public string? SamAccountName { get; init; }

    /// <summary>True for a computer object, where live AD said so; null from setspn's text.</summary>
    public bool? IsComputer { get; init; }

    /// <summary>The value of the first RDN, unescaped: "EXCH-ASA" for "CN=EXCH-ASA,CN=Computers,DC=contoso,DC=com".</summary>
    public string Name => DistinguishedNames.FirstValue(DistinguishedName);

    /// <summary>Whether the account lists <paramref name="spn"/> (SPNs compare without regard to case).</summary>
    public bool Holds(string spn) => ServicePrincipalNames.Any(s => string.Equals(s, spn, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A group of accounts that share one SPN, as setspn -X lists it.</summary>
internal sealed record DuplicateSpn(string ServicePrincipalName, IReadOnlyList<string> AccountDistinguishedNames);

/// <summary>
/// What one file of setspn output says: the accounts that setspn -Q or -L listed with their SPNs, the duplicate groups of
/// setspn -X, and the domains it searched. A file may hold several runs (setspn -Q ... &gt; f; setspn -X &gt;&gt; f).
/// </summary>
internal sealed record SetspnReport(
    IReadOnlyList<string> Domains,
    IReadOnlyList<SpnAccount> Accounts,
    IReadOnlyList<DuplicateSpn> Duplicates,
    bool QueryRan,
    bool DuplicateScanRan)
{
    /// <summary>The accounts this output shows holding <paramref name="spn"/>: from -Q/-L listings and -X groups, once each.</summary>
    public IReadOnlyList<SpnAccount> AccountsHolding(string spn)
    {
        var found = new List<SpnAccount>();
        foreach (SpnAccount account in Accounts.Where(a => a.Holds(spn)))
        {
            if (!found.Any(f => DistinguishedNames.Same(f.DistinguishedName, account.DistinguishedName)))
            {
                found.Add(account);
            }
        }

        foreach (DuplicateSpn group in Duplicates.Where(d => string.Equals(d.ServicePrincipalName, spn, StringComparison.OrdinalIgnoreCase)))
        {
            foreach (string dn in group.AccountDistinguishedNames.Where(dn => !found.Any(f => DistinguishedNames.Same(f.DistinguishedName, dn))))
            {
                found.Add(Accounts.FirstOrDefault(a => DistinguishedNames.Same(a.DistinguishedName, dn)) ?? new SpnAccount(dn, new[] { group.ServicePrincipalName }));
            }
        }

        return found;
    }
}

/// <summary>setspn output that is not setspn output: the cmdlet's SetspnOutputInvalid error.</summary>
internal sealed class SetspnFormatException : FormatException
{
    public SetspnFormatException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// Reads the text of setspn -Q HTTP/&lt;name&gt;, setspn -X and setspn -L &lt;account&gt; as Windows prints it (issue 14):
/// "Checking domain DC=contoso,DC=com", then for -Q each account's DN at the margin followed by its SPNs indented, and
/// "Existing SPN found!" or "No such SPN found."; for -X "Processing entry N", "HTTP/x is registered on these accounts:"
/// followed by the DNs indented, and "found N group of duplicate SPNs."; for -L "Registered ServicePrincipalNames for
/// CN=...:" followed by the SPNs. The file may be UTF-16 (PowerShell 5.1's "&gt;" and Out-File), UTF-8 with or without
/// a BOM, or the console code page (cmd's "&gt;"; setspn prints ASCII), with CRLF or LF.
/// </summary>
internal static class SetspnOutputParser
{
    /// <summary>The largest setspn output read (documented in Test-MapiHttpAuthentication's help): setspn -X of a forest with tens of thousands of SPNs is a few MB.</summary>
    public const long MaxBytes = 16L * 1024 * 1024;

    /// <summary>Reads a file through <see cref="InputFile"/> (regular file, at most <see cref="MaxBytes"/>) and parses it.</summary>
    public static SetspnReport ReadFile(string path)
    {
        byte[] bytes;
        using (Stream stream = InputFile.OpenRead(path, "setspn output", MaxBytes))
        using (var buffer = new MemoryStream())
        {
            stream.CopyTo(buffer);
            bytes = buffer.ToArray();
        }

        return Parse(Decode(bytes), DisplayText.Safe(path));
    }

    /// <summary>The text of the file's bytes: BOM first, then UTF-16 without a BOM (every other byte zero), else UTF-8.</summary>
    public static string Decode(byte[] bytes)
    {
        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE)
        {
            return Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
        }

        if (bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF)
        {
            return Encoding.BigEndianUnicode.GetString(bytes, 2, bytes.Length - 2);
        }

        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
        {
            return Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        }

        if (bytes.Length >= 4 && bytes.Length % 2 == 0)
        {
            int oddZeros = 0, evenZeros = 0;
            int pairs = Math.Min(bytes.Length / 2, 512);
            for (int i = 0; i < pairs; i++)
            {
                evenZeros += bytes[2 * i] == 0 ? 1 : 0;
                oddZeros += bytes[(2 * i) + 1] == 0 ? 1 : 0;
            }

            if (oddZeros > pairs * 3 / 4 && evenZeros == 0)
            {
                return Encoding.Unicode.GetString(bytes);
            }

            if (evenZeros > pairs * 3 / 4 && oddZeros == 0)
            {
                return Encoding.BigEndianUnicode.GetString(bytes);
            }
        }

        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Parses setspn's text; <paramref name="source"/> names the input in the error when it is not setspn output.</summary>
    public static SetspnReport Parse(string text, string source)
    {
        var domains = new List<string>();
        var accounts = new List<SpnAccount>();
        var duplicates = new List<DuplicateSpn>();
        bool query = false, scan = false, recognised = false;

        string? heading = null;          // a DN (-Q / -L) or an SPN (-X) whose indented lines follow
        bool headingIsDuplicate = false;
        var items = new List<string>();

        void Flush()
        {
            if (heading is not null)
            {
                if (headingIsDuplicate)
                {
                    duplicates.Add(new DuplicateSpn(heading, items.ToArray()));
                }
                else
                {
                    accounts.Add(new SpnAccount(heading, items.ToArray()));
                }
            }

            heading = null;
            items.Clear();
        }

        foreach (string raw in text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n'))
        {
            string line = raw.TrimEnd();
            string trimmed = line.Trim().TrimStart('\uFEFF');
            if (trimmed.Length == 0)
            {
                continue;
            }

            bool indented = char.IsWhiteSpace(line[0]);
            if (indented && heading is not null)
            {
                items.Add(trimmed);
                continue;
            }

            Flush();
            if (StartsWith(trimmed, "Checking domain ") || StartsWith(trimmed, "Checking forest "))
            {
                recognised = true;
                domains.Add(trimmed.Substring("Checking domain ".Length).Trim());
            }
            else if (trimmed.Equals("Existing SPN found!", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("No such SPN found.", StringComparison.OrdinalIgnoreCase))
            {
                recognised = query = true;
            }
            else if (StartsWith(trimmed, "Processing entry ") || StartsWith(trimmed, "Operation will be performed forestwide"))
            {
                recognised = scan = true;
            }
            else if (StartsWith(trimmed, "found ") && trimmed.IndexOf("duplicate SPN", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                recognised = scan = true;
            }
            else if (EndsWith(trimmed, " is registered on these accounts:"))
            {
                recognised = scan = true;
                heading = trimmed.Substring(0, trimmed.Length - " is registered on these accounts:".Length).Trim();
                headingIsDuplicate = true;
            }
            else if (StartsWith(trimmed, "Registered ServicePrincipalNames for ") && trimmed.EndsWith(":", StringComparison.Ordinal))
            {
                recognised = query = true;
                heading = trimmed.Substring("Registered ServicePrincipalNames for ".Length).TrimEnd(':').Trim();
                headingIsDuplicate = false;
            }
            else if (!indented && DistinguishedNames.Looks(trimmed))
            {
                // setspn -Q: an account's DN at the margin, its SPNs indented below.
                recognised = query = true;
                heading = trimmed;
                headingIsDuplicate = false;
            }
        }

        Flush();
        if (!recognised)
        {
            throw new SetspnFormatException(
                $"{source} is not the output of setspn: it has none of the lines setspn prints (\"Checking domain DC=...\", \"Existing SPN found!\", \"No such SPN found.\", " +
                "\"found N group of duplicate SPNs.\"). Save it with: setspn -Q HTTP/<namespace> > spn.txt; setspn -X >> spn.txt");
        }

        return new SetspnReport(domains, accounts, duplicates, query, scan);
    }

    private static bool StartsWith(string text, string prefix) => text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);

    private static bool EndsWith(string text, string suffix) => text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The little the SPN checks need to know about distinguished names.</summary>
internal static class DistinguishedNames
{
    /// <summary>"CN=...,...,DC=..." (or OU/O first): what setspn prints at the margin for an account.</summary>
    public static bool Looks(string text) =>
        (text.StartsWith("CN=", StringComparison.OrdinalIgnoreCase) || text.StartsWith("OU=", StringComparison.OrdinalIgnoreCase)) &&
        text.IndexOf(",DC=", StringComparison.OrdinalIgnoreCase) > 0;

    /// <summary>The first RDN's value with DN escapes ("\,") undone.</summary>
    public static string FirstValue(string dn)
    {
        int equals = dn.IndexOf('=');
        var value = new StringBuilder();
        for (int i = equals + 1; i < dn.Length; i++)
        {
            char c = dn[i];
            if (c == '\\' && i + 1 < dn.Length)
            {
                value.Append(dn[++i]);
                continue;
            }

            if (c == ',')
            {
                break;
            }

            value.Append(c);
        }

        return value.ToString().Trim();
    }

    /// <summary>The DC= labels of a DN joined with dots: "contoso.com".</summary>
    public static string? DnsDomain(string dn)
    {
        string[] labels = dn.Split(',').Select(p => p.Trim()).Where(p => p.StartsWith("DC=", StringComparison.OrdinalIgnoreCase)).Select(p => p.Substring(3)).ToArray();
        return labels.Length == 0 ? null : string.Join(".", labels);
    }

    /// <summary>
    /// The NetBIOS domain setspn's commands will most likely take: the first DC= label in capitals ("CONTOSO" for
    /// DC=contoso,DC=com). An organisation whose NetBIOS name differs gets "Unable to locate account" from setspn, never a
    /// change to the wrong account.
    /// </summary>
    public static string? NetbiosGuess(string dn)
    {
        string? dns = DnsDomain(dn);
        return dns?.Split('.')[0].ToUpperInvariant();
    }

    public static bool Same(string a, string b) => string.Equals(a.Replace(", ", ","), b.Replace(", ", ","), StringComparison.OrdinalIgnoreCase);
}
