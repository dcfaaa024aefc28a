using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Exchange.Builds;

/// <summary>How a build number was found in the table.</summary>
internal enum ExchangeBuildMatch
{
    /// <summary>The table lists this exact build (a CU's release build or one of its updates).</summary>
    Exact,

    /// <summary>A build of a CU the table knows, but not one it lists (a newer or interim update).</summary>
    WithinCu,

    /// <summary>A well-formed build number the table does not place in any CU it knows.</summary>
    Unknown,

    /// <summary>The text is not an Exchange build number at all.</summary>
    NotABuild,
}

/// <summary>One row of the table: a build and what it is.</summary>
internal sealed record ExchangeBuildRow(string Product, string Cu, string? Update, Version Build, DateTime? Released);

/// <summary>What a build number is, as the table knows it; <see cref="Name"/> is the text the module shows.</summary>
internal sealed record ExchangeBuildInfo(
    string? Input,
    Version? Build,
    ExchangeBuildMatch Match,
    string? Product,
    string? Cu,
    string? Update,
    DateTime? CuReleased,
    string Name)
{
    /// <summary>The build as "15.2.1544.14" (no zero padding), or null when the text was not a build number.</summary>
    public string? BuildText => Build?.ToString();
}

/// <summary>
/// Exchange build numbers with their product, CU and security update (issue 15): "15.2.1544.14" is "Exchange 2019 CU14
/// Nov24SUv2". The facts are in ExchangeBuilds.tsv beside this file (embedded in the DLL), copied from the source its
/// header names and dated; a build the table cannot place is said to be unknown with that date, never guessed. The
/// table is immutable data read once, so it is shared by every runspace (it is no test seam: tests use the real one).
/// </summary>
internal sealed class ExchangeBuildTable
{
    private const string ResourceName = "MapiHttpTools.Exchange.Builds.ExchangeBuilds.tsv";

    private static readonly Lazy<ExchangeBuildTable> Shipped = new(() =>
    {
        using Stream stream = typeof(ExchangeBuildTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidDataException($"The build table resource {ResourceName} is missing from the module.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    });

    // "Version 15.2 (Build 1544.14)": ServerVersion.ToString(), as AdminDisplayVersion arrives live and deserialized.
    private static readonly Regex AdminDisplayVersion = new(@"^\s*Version\s+(\d{1,5})\.(\d{1,5})\s+\(Build\s+(\d{1,9})\.(\d{1,9})\)\s*$", RegexOptions.CultureInvariant);

    // "15.2.1544.14" and ExSetup's file version "15.02.1544.014" (zero padded): four parts, nothing else.
    private static readonly Regex Dotted = new(@"^\s*(\d{1,5})\.(\d{1,5})\.(\d{1,9})\.(\d{1,9})\s*$", RegexOptions.CultureInvariant);

    private readonly Dictionary<Version, ExchangeBuildRow> _exact;
    private readonly Dictionary<(int, int, int), List<ExchangeBuildRow>> _byCu;

    private ExchangeBuildTable(IReadOnlyList<ExchangeBuildRow> rows, string dated, string source)
    {
        Rows = rows;
        Dated = dated;
        Source = source;
        _exact = new Dictionary<Version, ExchangeBuildRow>();
        _byCu = new Dictionary<(int, int, int), List<ExchangeBuildRow>>();
        foreach (ExchangeBuildRow row in rows)
        {
            // The source lists some CUs' release builds again as an update (15.2.330.5 is CU1 and Feb19SU) and names
            // such a build with the update, so the update row wins.
            if (!_exact.TryGetValue(row.Build, out ExchangeBuildRow? known) || (known.Update is null && row.Update is not null))
            {
                _exact[row.Build] = row;
            }

            (int, int, int) key = (row.Build.Major, row.Build.Minor, row.Build.Build);
            if (!_byCu.TryGetValue(key, out List<ExchangeBuildRow>? list))
            {
                _byCu[key] = list = new List<ExchangeBuildRow>();
            }

            list.Add(row);
        }

        // Each CU's builds by revision, its release build (the row without an update) first among equals: cu[0] is the CU.
        foreach (List<ExchangeBuildRow> list in _byCu.Values)
        {
            list.Sort((a, b) => a.Build.Revision != b.Build.Revision
                ? a.Build.Revision.CompareTo(b.Build.Revision)
                : (a.Update is null ? 0 : 1).CompareTo(b.Update is null ? 0 : 1));
        }
    }

    /// <summary>The table shipped in the module.</summary>
    public static ExchangeBuildTable Default => Shipped.Value;

    public IReadOnlyList<ExchangeBuildRow> Rows { get; }

    /// <summary>The date the table was last compared with its source (the "# Dated:" line).</summary>
    public string Dated { get; }

    /// <summary>Where the facts come from (the "# Source:" line).</summary>
    public string Source { get; }

    /// <summary>
    /// The build in Exchange's forms: "Version 15.2 (Build 1544.14)", "15.02.1544.014", "15.2.1544.14"; null for
    /// anything else (never an exception: the text comes from servers and files).
    /// </summary>
    public static Version? ParseBuild(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        Match match = AdminDisplayVersion.Match(text);
        if (!match.Success)
        {
            match = Dotted.Match(text);
        }

        if (!match.Success)
        {
            return null;
        }

        var parts = new int[4];
        for (int i = 0; i < 4; i++)
        {
            if (!int.TryParse(match.Groups[i + 1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out parts[i]))
            {
                return null;
            }
        }

        return new Version(parts[0], parts[1], parts[2], parts[3]);
    }

    /// <summary>What <paramref name="text"/> (any form <see cref="ParseBuild"/> reads) is.</summary>
    public ExchangeBuildInfo Lookup(string? text)
    {
        Version? build = ParseBuild(text);
        if (build is null)
        {
            string name = string.IsNullOrWhiteSpace(text)
                ? "unknown build (no version given)"
                : $"unknown build '{DisplayText.Safe(text!.Trim(), 64)}' (not an Exchange build number)";
            return new ExchangeBuildInfo(text, null, ExchangeBuildMatch.NotABuild, null, null, null, null, name);
        }

        return Lookup(build, text);
    }

    public ExchangeBuildInfo Lookup(Version build, string? input = null)
    {
        if (_exact.TryGetValue(build, out ExchangeBuildRow? row))
        {
            DateTime? released = CuRow(row)?.Released;
            string name = $"{row.Product} {row.Cu}" + (row.Update is null ? string.Empty : " " + row.Update);
            return new ExchangeBuildInfo(input, build, ExchangeBuildMatch.Exact, row.Product, row.Cu, row.Update, released, name);
        }

        // A CU's builds share its first three parts; an update the table does not list has a higher revision than the
        // CU's release build. The nearest listed build below it is named, so the admin sees how far the table goes.
        if (_byCu.TryGetValue((build.Major, build.Minor, build.Build), out List<ExchangeBuildRow>? cu) && build.Revision > cu[0].Build.Revision)
        {
            ExchangeBuildRow release = cu[0];
            ExchangeBuildRow below = cu.Last(r => r.Build.Revision < build.Revision);
            string after = below.Update ?? $"the {release.Cu} release";
            return new ExchangeBuildInfo(input, build, ExchangeBuildMatch.WithinCu, release.Product, release.Cu, null, release.Released,
                $"{release.Product} {release.Cu} (a build newer than {after}, not in the table dated {Dated})");
        }

        return new ExchangeBuildInfo(input, build, ExchangeBuildMatch.Unknown, null, null, null, null,
            $"unknown build {build} (the table, dated {Dated}, does not know it)");
    }

    private ExchangeBuildRow? CuRow(ExchangeBuildRow row) =>
        _byCu.TryGetValue((row.Build.Major, row.Build.Minor, row.Build.Build), out List<ExchangeBuildRow>? cu) ? cu[0] : null;

    /// <summary>Reads the table text: '#' lines are comments (two are read: "# Dated:" and "# Source:"), then a header and rows.</summary>
    internal static ExchangeBuildTable Parse(string text)
    {
        var rows = new List<ExchangeBuildRow>();
        string? dated = null;
        string? source = null;
        bool header = false;
        string[] lines = text.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("#", StringComparison.Ordinal))
            {
                dated ??= Directive(line, "Dated:");
                source ??= Directive(line, "Source:");
                continue;
            }

            string[] fields = line.Split('\t');
            if (!header)
            {
                if (!string.Equals(line, "Product\tCU\tUpdate\tBuild\tReleased", StringComparison.Ordinal))
                {
                    throw Bad(i, "the header must be Product, CU, Update, Build, Released (tab-separated)");
                }

                header = true;
                continue;
            }

            if (fields.Length != 5 || fields[0].Length == 0 || fields[1].Length == 0)
            {
                throw Bad(i, "a row has five tab-separated fields with Product and CU set");
            }

            Version build = Dotted.IsMatch(fields[3]) ? ParseBuild(fields[3])! : throw Bad(i, $"'{fields[3]}' is not a four-part build number");
            DateTime? released = null;
            if (fields[4].Length > 0)
            {
                released = DateTime.TryParseExact(fields[4], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTime date)
                    ? date
                    : throw Bad(i, $"'{fields[4]}' is not a yyyy-MM-dd date");
            }

            rows.Add(new ExchangeBuildRow(fields[0], fields[1], fields[2].Length == 0 ? null : fields[2], build, released));
        }

        if (dated is null || source is null || rows.Count == 0)
        {
            throw new InvalidDataException("The build table needs '# Dated:' and '# Source:' lines, a header and at least one row.");
        }

        return new ExchangeBuildTable(rows, dated, source);
    }

    private static string? Directive(string line, string name)
    {
        string body = line.TrimStart('#').Trim();
        return body.StartsWith(name, StringComparison.Ordinal) ? body.Substring(name.Length).Trim() : null;
    }

    private static InvalidDataException Bad(int index, string what) => new($"Build table line {index + 1}: {what}.");
}
