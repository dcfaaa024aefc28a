using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.DnsQuery;

/// <summary>The DNS servers the SRV lookup asks, where they came from, and why there are none when there are none.</summary>
internal sealed record DnsServerChoice(IReadOnlyList<IPEndPoint> Servers, string Source, string? Unavailable);

/// <summary>
/// Which DNS servers to ask for the _autodiscover._tcp SRV record (issue 14): -DnsServer when given, else the
/// session's stand-in (tests), else the system's resolvers as a client would use them: the network adapters' DNS
/// servers on Windows, the nameserver lines of /etc/resolv.conf elsewhere.
/// </summary>
internal static class DnsServers
{
    public const int DefaultPort = 53;

    /// <summary>glibc's MAXNS: the resolver uses the first three nameserver lines and ignores the rest.</summary>
    public const int MaxResolvConfServers = 3;

    public const string ResolvConfPath = "/etc/resolv.conf";

    /// <summary>resolv.conf is a few lines; anything larger is not one.</summary>
    public const long MaxResolvConfBytes = 64 * 1024;

    /// <summary><see cref="Choose"/> when first needed, on whichever thread needs it.</summary>
    public static Lazy<DnsServerChoice> Lazily(IReadOnlyList<IPEndPoint>? given, IReadOnlyList<IPEndPoint>? standIn) =>
        new(() => Choose(given, standIn));

    public static DnsServerChoice Choose(IReadOnlyList<IPEndPoint>? given, IReadOnlyList<IPEndPoint>? standIn)
    {
        if (given is { Count: > 0 })
        {
            return new DnsServerChoice(given, "-DnsServer", null);
        }

        if (standIn is not null)
        {
            return new DnsServerChoice(standIn, "the session's DNS servers", standIn.Count == 0 ? "the session has no DNS server" : null);
        }

        return Environment.OSVersion.Platform == PlatformID.Win32NT ? FromAdapters() : FromResolvConf(ResolvConfPath);
    }

    /// <summary>The DNS servers of the adapters that are up (as Windows' resolver uses them), loopback adapters aside.</summary>
    public static DnsServerChoice FromAdapters()
    {
        const string source = "the network adapters' DNS servers";
        try
        {
            IPEndPoint[] servers = NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().DnsAddresses)

                // fec0:0:0:ffff::1-3 are Windows' unconfigured IPv6 placeholders, not servers anyone runs.
                .Where(a => !a.IsIPv6SiteLocal)
                .Distinct()
                .Select(a => new IPEndPoint(a, DefaultPort))
                .ToArray();
            return new DnsServerChoice(servers, source, servers.Length == 0 ? "no network adapter that is up has a DNS server" : null);
        }
        catch (NetworkInformationException ex)
        {
            return new DnsServerChoice(Array.Empty<IPEndPoint>(), source, $"the network adapters could not be read ({DisplayText.Safe(ex.Message)})");
        }
    }

    /// <summary>The nameserver lines of <paramref name="path"/>, read bounded through <see cref="InputFile"/>.</summary>
    public static DnsServerChoice FromResolvConf(string path)
    {
        string text;
        try
        {
            using Stream stream = InputFile.OpenRead(path, "a resolv.conf", MaxResolvConfBytes);
            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            string why = ex is FileNotFoundException ? "it does not exist" : DisplayText.Safe(ex.Message);
            return new DnsServerChoice(Array.Empty<IPEndPoint>(), path, $"{path} could not be read: {why}");
        }

        IReadOnlyList<IPEndPoint> servers = ParseResolvConf(text);
        return new DnsServerChoice(servers, path, servers.Count == 0 ? $"{path} has no usable nameserver line" : null);
    }

    /// <summary>
    /// The servers of resolv.conf(5) text: "nameserver ADDRESS" lines (an IPv6 address may carry a %zone), in file order,
    /// the first <see cref="MaxResolvConfServers"/> as glibc uses them; comments (# or ;) and other options ignored.
    /// </summary>
    public static IReadOnlyList<IPEndPoint> ParseResolvConf(string text)
    {
        var servers = new List<IPEndPoint>();
        foreach (string raw in text.Split('\n'))
        {
            string[] words = raw.Split(new[] { ' ', '\t', '\r' }, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || !string.Equals(words[0], "nameserver", StringComparison.Ordinal))
            {
                continue;
            }

            if (IPAddress.TryParse(words[1], out IPAddress? address) && words[1].IndexOfAny(new[] { '#', ';' }) < 0)
            {
                servers.Add(new IPEndPoint(address, DefaultPort));
                if (servers.Count == MaxResolvConfServers)
                {
                    break;
                }
            }
        }

        return servers;
    }

    /// <summary>
    /// One -DnsServer value: "192.0.2.53", "192.0.2.53:5353", "2001:db8::53" or "[2001:db8::53]:5353" (port 53 when
    /// absent). Host names are refused: finding the DNS server through DNS would ask the resolver this parameter bypasses.
    /// </summary>
    public static bool TryParseEndPoint(string text, out IPEndPoint? endPoint, out string problem)
    {
        endPoint = null;
        problem = string.Empty;
        string value = (text ?? string.Empty).Trim();
        string host = value;
        string? port = null;
        if (value.StartsWith("[", StringComparison.Ordinal))
        {
            int close = value.IndexOf(']');
            if (close < 0 || (close + 1 < value.Length && value[close + 1] != ':'))
            {
                problem = "an IPv6 address in brackets needs ']' and then nothing or ':port'";
                return false;
            }

            host = value.Substring(1, close - 1);
            port = close + 1 < value.Length ? value.Substring(close + 2) : null;
        }
        else if (value.Count(c => c == ':') == 1)
        {
            int colon = value.IndexOf(':');
            host = value.Substring(0, colon);
            port = value.Substring(colon + 1);
        }

        if (!IPAddress.TryParse(host, out IPAddress? address) || (address.AddressFamily == AddressFamily.InterNetwork && host.Count(c => c == '.') != 3))
        {
            problem = "it is not an IP address (a host name cannot be used: finding the DNS server would need DNS)";
            return false;
        }

        int number = DefaultPort;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number < 1 || number > 65535))
        {
            problem = "its port is not a number from 1 to 65535";
            return false;
        }

        endPoint = new IPEndPoint(address, number);
        return true;
    }
}
