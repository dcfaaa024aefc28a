using System;
using System.Collections;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using MapiHttpTools.Exchange;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Infrastructure.Clixml;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>
/// Issue 20: CLIXML files from customers are data, never objects. The module's own reader must give the same facts
/// PSSerializer gives for real exports, refuse hostile documents with a clear reason, and never run anything the
/// session registered for the type names a file names.
/// </summary>
public sealed class ClixmlReaderTests : IDisposable
{
    private const string Ns = "xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.Clixml." + Guid.NewGuid().ToString("N"));

    public ClixmlReaderTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_real_Exchange_export_reads_enums_by_name_and_identities_by_their_text()
    {
        string path = Path.Combine(ExchangeObjects.FixtureFolder, "GetOwaVirtualDirectory.xml");
        var vdir = (PSObject)ClixmlReader.ReadFile(path, "a test export", 10_000_000).Single()!;

        Assert.Equal(new[] { "Basic", "Fba" }, ExchangeValues.Strings(vdir, "InternalAuthenticationMethods"));
        Assert.Equal("Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.ADOwaVirtualDirectory", vdir.TypeNames[0]);
        Assert.Equal(@"SOLO-E19A\owa (Default Web Site)", ExchangeValues.Text(vdir, "Identity"));
        Assert.Equal(@"SOLO-E19A\owa (Default Web Site)", vdir.ToString());
        var first = (PSObject)((IList)((PSObject)vdir.Properties["InternalAuthenticationMethods"].Value).BaseObject)[0]!;
        Assert.Equal((0, "Basic"), ((int)first.BaseObject, first.ToString()));
    }

    [Fact]
    public void Every_fixture_reads_to_the_same_facts_as_PSSerializer()
    {
        foreach (string file in new[] { "GetOrganizationConfig.xml", "GetExchangeServer.xml", "GetServerComponentState.xml", "GetAuthConfig.xml" })
        {
            string path = Path.Combine(ExchangeObjects.FixtureFolder, file);
            var ours = ClixmlReader.ReadFile(path, "a test export", 10_000_000).Select(o => (PSObject)o!).ToArray();
            var theirs = ExchangeObjects.Fixture(file);
            Assert.Equal(theirs.Count, ours.Length);
            for (int i = 0; i < ours.Length; i++)
            {
                foreach (PSPropertyInfo property in theirs[i].Properties)
                {
                    Assert.Equal(ExchangeValues.Strings(theirs[i], property.Name), ExchangeValues.Strings(ours[i], property.Name));
                }
            }
        }
    }

    [Fact]
    public void A_DTD_is_refused_and_no_entity_is_expanded()
    {
        string secret = Path.Combine(_folder, "secret.txt");
        File.WriteAllText(secret, "TOPSECRET");
        string xml = $"<?xml version=\"1.0\"?><!DOCTYPE Objs [<!ENTITY x SYSTEM \"file://{secret}\">]><Objs Version=\"1.1.0.1\" {Ns}><S>&x;</S></Objs>";

        ClixmlException ex = Assert.Throws<ClixmlException>(() => ClixmlReader.ReadText(xml));

        Assert.Contains("DTD", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("TOPSECRET", ex.Message);
    }

    [Fact]
    public void Ten_thousand_deep_nesting_is_refused_at_the_depth_bound()
    {
        var xml = new StringBuilder($"<Objs Version=\"1.1.0.1\" {Ns}>");
        for (int i = 0; i < 10_000; i++)
        {
            xml.Append("<Obj><Props><Obj N=\"a\">");
        }

        ClixmlException ex = Assert.Throws<ClixmlException>(() => ClixmlReader.ReadText(xml.ToString()));

        Assert.StartsWith("objects are nested more than 64 deep", ex.Message);
    }

    [Fact]
    public void A_Ref_loop_and_a_missing_RefId_are_refused()
    {
        string loop = $"<Objs {Ns}><Obj RefId=\"0\"><Props><Ref N=\"self\" RefId=\"0\" /></Props></Obj></Objs>";
        string missing = $"<Objs {Ns}><Obj RefId=\"0\"><Props><Ref N=\"other\" RefId=\"7\" /></Props></Obj></Objs>";
        string missingTn = $"<Objs {Ns}><Obj RefId=\"0\"><TNRef RefId=\"3\" /><ToString>x</ToString></Obj></Objs>";

        Assert.StartsWith("a <Ref> points to object 0 from inside itself (a reference loop)", Assert.Throws<ClixmlException>(() => ClixmlReader.ReadText(loop)).Message);
        Assert.StartsWith("a <Ref> points to object 7, which is not earlier in the file", Assert.Throws<ClixmlException>(() => ClixmlReader.ReadText(missing)).Message);
        Assert.StartsWith("a <TNRef> points to type list 3, which is not earlier in the file", Assert.Throws<ClixmlException>(() => ClixmlReader.ReadText(missingTn)).Message);
    }

    [Fact]
    public void A_Ref_to_an_earlier_object_is_the_same_object()
    {
        string xml = $"<Objs {Ns}><Obj RefId=\"0\"><LST><Obj RefId=\"1\"><Props><S N=\"a\">x</S></Props></Obj><Ref RefId=\"1\" /></LST></Obj></Objs>";

        var list = (IList)((PSObject)ClixmlReader.ReadText(xml).Single()!).BaseObject;

        Assert.Same(list[0], list[1]);
    }

    [Fact]
    public void A_SecureString_is_refused()
    {
        string xml = $"<Objs {Ns}><Obj RefId=\"0\"><Props><SS N=\"Password\">01000000d08c9ddf</SS></Props></Obj></Objs>";

        Assert.StartsWith("it holds a SecureString", Assert.Throws<ClixmlException>(() => ClixmlReader.ReadText(xml)).Message);
    }

    [Fact]
    public void A_huge_string_reads_within_the_size_bound_and_a_file_past_it_is_refused_before_reading()
    {
        string big = new('a', 4_000_000);
        string path = Path.Combine(_folder, "big.xml");
        File.WriteAllText(path, $"<Objs {Ns}><S>{big}</S></Objs>");

        Assert.Equal(big, ClixmlReader.ReadFile(path, "a test file", 5_000_000).Single());
        InputFileException ex = Assert.Throws<InputFileException>(() => ClixmlReader.ReadFile(path, "a test file", 1_000_000));
        Assert.Equal(InputFile.TooLargeErrorId, ex.ErrorId);
    }

    [Fact]
    public void Values_of_every_shape_the_readers_need()
    {
        string xml = $"<Objs {Ns}><Obj RefId=\"0\"><TN RefId=\"0\"><T>System.Collections.Hashtable</T><T>System.Object</T></TN><DCT>" +
            "<En><S N=\"Key\">when</S><DT N=\"Value\">2026-12-04T22:15:00.0000000Z</DT></En>" +
            "<En><S N=\"Key\">n</S><I64 N=\"Value\">5000000000</I64></En>" +
            "<En><S N=\"Key\">u</S><URI N=\"Value\">https://mail.contoso.lab/mapi</URI></En>" +
            "<En><S N=\"Key\">g</S><G N=\"Value\">0f6a1e2d-1111-2222-3333-444455556666</G></En>" +
            "<En><S N=\"Key\">b</S><BA N=\"Value\">AQID</BA></En>" +
            "<En><S N=\"Key\">esc</S><S N=\"Value\">a_x001B_b</S></En>" +
            "<En><S N=\"Key\">none</S><Nil N=\"Value\" /></En>" +
            "</DCT></Obj></Objs>";

        var table = (IDictionary)((PSObject)ClixmlReader.ReadText(xml).Single()!).BaseObject;

        Assert.Equal(new DateTime(2026, 12, 4, 22, 15, 0, DateTimeKind.Utc), table["WHEN"]);
        Assert.Equal(5_000_000_000L, table["n"]);
        Assert.Equal(new Uri("https://mail.contoso.lab/mapi"), table["u"]);
        Assert.Equal(Guid.Parse("0f6a1e2d-1111-2222-3333-444455556666"), table["g"]);
        Assert.Equal(new byte[] { 1, 2, 3 }, table["b"]);
        Assert.Equal("a\u001bb", table["esc"]);
        Assert.True(table.Contains("none"));
        Assert.Null(table["none"]);
    }

    [Fact]
    public void A_session_converter_for_the_file_type_runs_under_PSSerializer_but_never_under_the_module()
    {
        using var session = new ModuleSession();
        Tripwire.Register(session, _folder);
        string path = Path.Combine(_folder, "tripwire.xml");
        File.WriteAllText(path, Tripwire.Document());

        // The control: PowerShell's own deserializer rehydrates through the converter.
        session.Invoke("$null = [System.Management.Automation.PSSerializer]::Deserialize([IO.File]::ReadAllText($p))", new() { ["p"] = path });
        Assert.True(Tripwire.Tripped(session));
        Tripwire.Reset(session);

        var read = ClixmlReader.ReadFile(path, "a test file", 1_000_000);
        Assert.Equal("Contoso.Tripwire", ((PSObject)read.Single()!).TypeNames[0].Substring("Deserialized.".Length));
        Assert.False(Tripwire.Tripped(session));
    }
}

/// <summary>
/// A type converter the session registers for "Deserialized.Contoso.Tripwire" (as Exchange Management Shell registers
/// Exchange's): it records the runspace it ran in. A reader that rehydrates runs it once per object.
/// </summary>
public sealed class Tripwire
{
    private static readonly ConcurrentDictionary<Guid, int> Hits = new();

    public const string TypeName = "Contoso.Tripwire";

    /// <summary>Registers the converter through a module's types.ps1xml (the test host has no Update-TypeData), as a snap-in would.</summary>
    public static void Register(ModuleSession session, string folder)
    {
        string module = Path.Combine(folder, "Tripwire");
        Directory.CreateDirectory(module);
        File.WriteAllText(Path.Combine(module, "Tripwire.types.ps1xml"),
            "<Types><Type><Name>Deserialized.Contoso.Tripwire</Name><Members><MemberSet><Name>PSStandardMembers</Name><Members>" +
            "<NoteProperty><Name>TargetTypeForDeserialization</Name><Value>MapiHttpTools.Tests.Exchange.Tripwire</Value></NoteProperty>" +
            "</Members></MemberSet></Members></Type>" +
            "<Type><Name>MapiHttpTools.Tests.Exchange.Tripwire</Name><TypeConverter><TypeName>MapiHttpTools.Tests.Exchange.TripwireConverter</TypeName></TypeConverter></Type></Types>");
        File.WriteAllText(Path.Combine(module, "Tripwire.psd1"), "@{ ModuleVersion = '1.0'; TypesToProcess = @('Tripwire.types.ps1xml') }");
        Xunit.Assert.Empty(session.Invoke("Import-Module -Name $m -ErrorAction Stop", new() { ["m"] = Path.Combine(module, "Tripwire.psd1") }).Errors);
    }

    public static bool Tripped(ModuleSession session) => Hits.TryGetValue(session.Runspace.InstanceId, out int n) && n > 0;

    public static void Reset(ModuleSession session) => Hits.TryRemove(session.Runspace.InstanceId, out _);

    internal static void Hit() => Hits.AddOrUpdate(System.Management.Automation.Runspaces.Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty, 1, (_, n) => n + 1);

    /// <summary>A CLIXML object of the tripwire type, as a property value ("<Obj N=...>").</summary>
    public static string Property(string name) =>
        $"<Obj N=\"{name}\"><TN><T>{TypeName}</T><T>System.Object</T></TN><ToString>tripwire</ToString><Props><S N=\"Payload\">x</S></Props></Obj>";

    public static string Document() =>
        "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">" +
        $"<Obj RefId=\"900\"><TN RefId=\"900\"><T>{TypeName}</T><T>System.Object</T></TN><ToString>tripwire</ToString><Props><S N=\"Payload\">x</S></Props></Obj></Objs>";
}

public sealed class TripwireConverter : PSTypeConverter
{
    public override bool CanConvertFrom(object sourceValue, Type destinationType) => true;

    public override object ConvertFrom(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase)
    {
        Tripwire.Hit();
        return new Tripwire();
    }

    public override bool CanConvertTo(object sourceValue, Type destinationType) => false;

    public override object ConvertTo(object sourceValue, Type destinationType, IFormatProvider formatProvider, bool ignoreCase) => throw new InvalidCastException();
}
