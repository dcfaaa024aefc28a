using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading;
using MapiHttpTools.Exchange.Snapshot;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>
/// Issue 19: the snapshot header checks, each on a file Export-MapiHttpSnapshot wrote and then edited the way a damaged,
/// hand-edited or future file differs: FormatVersion 0, negative, newer, missing, not a number; CreatedUtc missing or
/// outside the years a snapshot can have been taken; no Sections; a foreign Format. Written against the behaviour, not
/// the current version number: "newer" is the exported file's own version plus one.
/// </summary>
public sealed class SnapshotVersionTests : IDisposable
{
    private static readonly Regex VersionEntry = new("(<S N=\"Key\">FormatVersion</S>\\s*)<I32 N=\"Value\">(-?\\d+)</I32>");

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.SnapshotVersion." + Guid.NewGuid().ToString("N"));
    private readonly ModuleSession _session = new();
    private readonly string _exported;
    private readonly string _text;

    public SnapshotVersionTests()
    {
        Directory.CreateDirectory(_folder);
        ExchangeLab.Contoso().Install(_session);
        _exported = Path.Combine(_folder, "contoso.xml");
        Assert.Empty(_session.Invoke("Export-MapiHttpSnapshot -Path $p -Mailbox bob, carol", new() { ["p"] = _exported }).Errors);
        _text = File.ReadAllText(_exported);
    }

    public void Dispose()
    {
        _session.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The FormatVersion the exporter wrote, read from the file.</summary>
    private int ExportedVersion => int.Parse(VersionEntry.Match(_text).Groups[2].Value, CultureInfo.InvariantCulture);

    private string Variant(string name, string text)
    {
        Assert.NotEqual(_text, text);
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string WithVersion(string name, string valueElement)
    {
        Assert.Matches(VersionEntry, _text);
        return Variant(name, VersionEntry.Replace(_text, "${1}" + valueElement, 1));
    }

    private string WithCreated(string name, string valueElement)
    {
        var created = new Regex("(<S N=\"Key\">CreatedUtc</S>\\s*)<DT N=\"Value\">[^<]*</DT>");
        Assert.Matches(created, _text);
        return Variant(name, created.Replace(_text, "${1}" + valueElement, 1));
    }

    private static SnapshotException Refused(string path) => Assert.Throws<SnapshotException>(() => SnapshotDocument.Load(path, CancellationToken.None));

    /// <summary>The cmdlet's error for the file: one terminating error with the id, the file as target, nothing written.</summary>
    private void AssertCmdletRefuses(string path, string errorId)
    {
        ScriptResult result = _session.InvokeCatching("Get-MapiHttpMailboxState -SnapshotPath $p", new() { ["p"] = path });
        ErrorRecord error = Assert.Single(result.Errors);
        Assert.Equal(errorId + ",MapiHttpTools.Commands.GetMapiHttpMailboxStateCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Equal(path, error.TargetObject);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void The_version_the_exporter_writes_loads_with_its_header()
    {
        SnapshotDocument snapshot = SnapshotDocument.Load(_exported, CancellationToken.None);

        Assert.True(ExportedVersion >= 1, ExportedVersion.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(ExportedVersion, snapshot.FormatVersion);
        Assert.Equal(_exported, snapshot.Path);
        Assert.Equal(new[] { "EX01", "EX02" }, snapshot.Servers);
        Assert.False(snapshot.Anonymized);
        Assert.Equal(DateTimeKind.Utc, snapshot.CreatedUtc.Kind);
        Assert.Equal(2, snapshot.Section("CASMailbox").Count);
        Assert.Empty(snapshot.Section("NoSuchSection"));
        Assert.Equal(2, _session.Invoke("Get-MapiHttpMailboxState -SnapshotPath $p", new() { ["p"] = _exported }).Objects<MapiHttpMailboxStateResult>().Count());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("-2147483648")]
    public void FormatVersion_zero_or_negative_is_SnapshotInvalid(string version)
    {
        string path = WithVersion("version-" + version + ".xml", $"<I32 N=\"Value\">{version}</I32>");

        SnapshotException ex = Refused(path);

        Assert.Equal("SnapshotInvalid", ex.ErrorId);
        Assert.Equal($"The snapshot file '{path}' is damaged: it has no valid FormatVersion. Export it again with Export-MapiHttpSnapshot.", ex.Message);
        Assert.Equal(path, ex.SnapshotPath);
        AssertCmdletRefuses(path, "SnapshotInvalid");
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("text")]
    [InlineData("empty")]
    [InlineData("fraction")]
    public void A_missing_or_non_numeric_FormatVersion_is_SnapshotInvalid(string kind)
    {
        string path = kind switch
        {
            "missing" => Variant("version-missing.xml", _text.Replace("<S N=\"Key\">FormatVersion</S>", "<S N=\"Key\">FormatRevision</S>")),
            "text" => WithVersion("version-text.xml", "<S N=\"Value\">one</S>"),
            "empty" => WithVersion("version-empty.xml", "<Nil N=\"Value\" />"),
            _ => WithVersion("version-fraction.xml", "<D N=\"Value\">1.5</D>"),
        };

        SnapshotException ex = Refused(path);

        Assert.Equal("SnapshotInvalid", ex.ErrorId);
        Assert.Contains("it has no valid FormatVersion", ex.Message);
        AssertCmdletRefuses(path, "SnapshotInvalid");
    }

    [Fact]
    public void A_version_newer_than_the_exporter_writes_is_SnapshotVersionUnsupported_and_says_to_update()
    {
        int newer = ExportedVersion + 1;
        string next = WithVersion("version-next.xml", $"<I32 N=\"Value\">{newer}</I32>");
        string far = WithVersion("version-far.xml", "<I32 N=\"Value\">2147483647</I32>");

        SnapshotException ex = Refused(next);
        SnapshotException farEx = Refused(far);

        Assert.Equal(("SnapshotVersionUnsupported", "SnapshotVersionUnsupported"), (ex.ErrorId, farEx.ErrorId));
        Assert.Equal(
            $"The snapshot file '{next}' has format version {newer}, written by a newer MapiHttpTools; this version reads format {ExportedVersion}. Update the module (Update-Module MapiHttpTools) to read it.",
            ex.Message);
        Assert.Contains("has format version 2147483647, written by a newer MapiHttpTools", farEx.Message);
        AssertCmdletRefuses(next, "SnapshotVersionUnsupported");
    }

    [Fact]
    public void A_version_written_as_text_digits_is_read_as_that_number()
    {
        // Hand-edited headers (Import-Clixml, edit, Export-Clixml of a string) keep working when the text is a number.
        string path = WithVersion("version-string.xml", $"<S N=\"Value\">{ExportedVersion}</S>");

        Assert.Equal(ExportedVersion, SnapshotDocument.Load(path, CancellationToken.None).FormatVersion);
    }

    [Theory]
    [InlineData("2014-12-31T23:59:59Z", "its CreatedUtc 2014-12-31 23:59:59 is not a time a snapshot could have been taken")]
    [InlineData("0001-01-01T00:00:00Z", "its CreatedUtc 0001-01-01 00:00:00 is not a time a snapshot could have been taken")]
    public void A_CreatedUtc_before_2015_is_SnapshotInvalid(string created, string why)
    {
        string path = WithCreated("created-" + created.Substring(0, 4) + ".xml", $"<DT N=\"Value\">{created}</DT>");

        SnapshotException ex = Refused(path);

        Assert.Equal(("SnapshotInvalid", $"The snapshot file '{path}' is damaged: {why}. Export it again with Export-MapiHttpSnapshot."), (ex.ErrorId, ex.Message));
    }

    [Fact]
    public void A_CreatedUtc_from_2015_on_up_to_a_day_ahead_loads_and_three_days_ahead_is_refused()
    {
        string first = WithCreated("created-2015.xml", "<DT N=\"Value\">2015-01-01T00:00:00Z</DT>");
        string tomorrow = WithCreated("created-tomorrow.xml", $"<DT N=\"Value\">{DateTime.UtcNow.AddDays(1):yyyy-MM-ddTHH:mm:ss}Z</DT>");
        string ahead = WithCreated("created-ahead.xml", $"<DT N=\"Value\">{DateTime.UtcNow.AddDays(3):yyyy-MM-ddTHH:mm:ss}Z</DT>");

        Assert.Equal(new DateTime(2015, 1, 1, 0, 0, 0, DateTimeKind.Utc), SnapshotDocument.Load(first, CancellationToken.None).CreatedUtc);
        Assert.Equal(ExportedVersion, SnapshotDocument.Load(tomorrow, CancellationToken.None).FormatVersion);
        Assert.Contains("is not a time a snapshot could have been taken", Refused(ahead).Message);
    }

    [Theory]
    [InlineData("<S N=\"Value\">2024-05-01T10:00:00Z</S>")]
    [InlineData("<Nil N=\"Value\" />")]
    public void A_CreatedUtc_that_is_not_a_date_is_SnapshotInvalid(string valueElement)
    {
        string path = WithCreated("created-not-a-date.xml", valueElement);

        SnapshotException ex = Refused(path);

        Assert.Equal(("SnapshotInvalid", $"The snapshot file '{path}' is damaged: it has no CreatedUtc. Export it again with Export-MapiHttpSnapshot."), (ex.ErrorId, ex.Message));
    }

    [Fact]
    public void A_header_without_Anonymized_reads_as_not_anonymized()
    {
        string anonymized = Variant("anonymized.xml", Regex.Replace(_text, "(<S N=\"Key\">Anonymized</S>\\s*)<B N=\"Value\">false</B>", "${1}<B N=\"Value\">true</B>"));
        // The key is renamed in a file that says true, so a default of true (instead of false) would show.
        string unmarked = Variant("unmarked.xml", File.ReadAllText(anonymized).Replace("<S N=\"Key\">Anonymized</S>", "<S N=\"Key\">Scrubbed</S>"));

        Assert.True(SnapshotDocument.Load(anonymized, CancellationToken.None).Anonymized);
        Assert.False(SnapshotDocument.Load(unmarked, CancellationToken.None).Anonymized);
    }

    [Fact]
    public void A_header_without_Sections_is_SnapshotInvalid()
    {
        string path = Variant("no-sections.xml", _text.Replace("<S N=\"Key\">Sections</S>", "<S N=\"Key\">Chapters</S>"));

        SnapshotException ex = Refused(path);

        Assert.Equal(("SnapshotInvalid", $"The snapshot file '{path}' is damaged: it has no Sections. Export it again with Export-MapiHttpSnapshot."), (ex.ErrorId, ex.Message));
    }

    [Fact]
    public void A_Format_that_only_starts_like_ours_is_SnapshotNotRecognized()
    {
        string path = Variant("other-format.xml", _text.Replace("<S N=\"Value\">MapiHttpTools.Snapshot</S>", "<S N=\"Value\">MapiHttpTools.SnapshotArchive</S>"));

        SnapshotException ex = Refused(path);

        Assert.Equal(("SnapshotNotRecognized", $"'{path}' is a CLIXML file but not a MapiHttpTools snapshot. Create one with Export-MapiHttpSnapshot."), (ex.ErrorId, ex.Message));
        AssertCmdletRefuses(path, "SnapshotNotRecognized");
    }

    [Fact]
    public void A_CLIXML_string_naming_the_format_is_not_a_snapshot()
    {
        string path = Variant("string.xml", PSSerializer.Serialize("MapiHttpTools.Snapshot"));

        Assert.Equal("SnapshotNotRecognized", Refused(path).ErrorId);
    }

    [Fact]
    public void Blank_lines_and_a_byte_order_mark_before_the_document_are_read()
    {
        string path = Path.Combine(_folder, "leading-space.xml");
        File.WriteAllText(path, "\r\n\t " + _text, new System.Text.UTF8Encoding(true));

        Assert.Equal(ExportedVersion, SnapshotDocument.Load(path, CancellationToken.None).FormatVersion);
    }

    [Fact]
    public void Text_that_names_the_format_but_is_not_CLIXML_is_SnapshotNotRecognized()
    {
        string path = Variant("notes.xml", "Export-MapiHttpSnapshot writes a MapiHttpTools.Snapshot file; this is not one.");

        SnapshotException ex = Refused(path);

        Assert.Equal(("SnapshotNotRecognized", $"'{path}' is not a MapiHttpTools snapshot (it does not start with a MapiHttpTools.Snapshot header). Create one with Export-MapiHttpSnapshot."), (ex.ErrorId, ex.Message));
    }

    [Fact]
    public void A_failure_entry_without_a_Kind_is_replayed_as_Failed_and_is_found_in_any_case()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.Failing.Add("Get-ExchangeCertificate:EX02");
        using var session = new ModuleSession();
        lab.Install(session);
        string path = Path.Combine(_folder, "failure.xml");
        session.Invoke("Export-MapiHttpSnapshot -Path $p -Server EX01, EX02", new() { ["p"] = path });
        string text = File.ReadAllText(path);
        Assert.Contains("<S N=\"Kind\">Failed</S>", text);
        File.WriteAllText(path, text.Replace("<S N=\"Kind\">Failed</S>", string.Empty));

        SnapshotDocument snapshot = SnapshotDocument.Load(path, CancellationToken.None);

        // The IMAP/POP entries the stand-in session cannot give are recorded as Unavailable (issue 16); the one Failed entry is the certificate's.
        SnapshotFailure failure = Assert.Single(snapshot.Failures, f => f.Kind != "Unavailable");
        Assert.Equal(("ExchangeCertificate", "EX02", "Failed", "Get-ExchangeCertificate -Server 'EX02'"), (failure.Section, failure.Key, failure.Kind, failure.Command));
        Assert.Contains("could not be contacted", failure.Message);
        Assert.Same(failure, snapshot.FailureOf("exchangecertificate", "ex02"));
        Assert.Null(snapshot.FailureOf("ExchangeCertificate", "EX01"));
        Assert.Null(snapshot.FailureOf("AuthConfig", "EX02"));
    }

    // --- Issue 19: the Snapshot area's survivors of the measured run -------------------------------------------

    [Fact]
    public void Failure_entries_without_section_command_or_message_read_as_empty_text()
    {
        string stripped = Regex.Replace(_text, "<S N=\"(Section|Command|Message)\">[^<]*</S>", string.Empty);
        string path = Variant("bare-failures.xml", stripped);

        SnapshotDocument snapshot = SnapshotDocument.Load(path, CancellationToken.None);

        Assert.NotEmpty(snapshot.Failures);
        Assert.All(snapshot.Failures, f => Assert.Equal((string.Empty, string.Empty, string.Empty), (f.Section, f.Command, f.Message)));
    }

    [Fact]
    public void A_header_without_Failures_has_none_and_a_Failures_text_is_one_entry_not_its_characters()
    {
        var failures = new Regex("(<S N=\"Key\">Failures</S>\\s*)<Obj N=\"Value\".*?</Obj>(\\s*</En>)", RegexOptions.Singleline);
        Assert.Matches(failures, _text);
        string absent = Variant("no-failures.xml", _text.Replace("<S N=\"Key\">Failures</S>", "<S N=\"Key\">Problems</S>"));
        string text = Variant("text-failures.xml", failures.Replace(_text, "${1}<S N=\"Value\">oops</S>${2}", 1));

        Assert.Empty(SnapshotDocument.Load(absent, CancellationToken.None).Failures);
        SnapshotFailure single = Assert.Single(SnapshotDocument.Load(text, CancellationToken.None).Failures);
        Assert.Equal((string.Empty, string.Empty, "Failed"), (single.Section, single.Key, single.Kind));
    }

    [Fact]
    public void A_header_without_CreatedBy_has_no_author_and_a_control_character_in_it_is_made_visible()
    {
        var createdBy = new Regex("(<S N=\"Key\">CreatedBy</S>\\s*)<S N=\"Value\">[^<]*</S>");
        Assert.Matches(createdBy, _text);
        string absent = Variant("no-author.xml", _text.Replace("<S N=\"Key\">CreatedBy</S>", "<S N=\"Key\">Author</S>"));
        string escaped = Variant("escape-author.xml", createdBy.Replace(_text, "${1}<S N=\"Value\">CONTOSO\\admin_x001B_[2J</S>", 1));

        Assert.Null(SnapshotDocument.Load(absent, CancellationToken.None).CreatedBy);
        Assert.Equal("CONTOSO\\admin\\e[2J", SnapshotDocument.Load(escaped, CancellationToken.None).CreatedBy);
    }

    [Fact]
    public void A_clixml_document_with_no_object_that_names_the_format_is_SnapshotNotRecognized()
    {
        string path = Variant("empty.xml", "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><!-- MapiHttpTools.Snapshot --></Objs>");

        SnapshotException ex = Refused(path);

        Assert.Equal(("SnapshotNotRecognized", $"'{path}' is a CLIXML file but not a MapiHttpTools snapshot. Create one with Export-MapiHttpSnapshot."), (ex.ErrorId, ex.Message));
    }
}
