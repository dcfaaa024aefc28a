using System;
using System.IO;
using System.Linq;
using System.Threading;
using MapiHttpTools.Infrastructure.Clixml;
using MapiHttpTools.Kerberos;
using Xunit;

namespace MapiHttpTools.Tests.Kerberos;

/// <summary>
/// Get-ClientAccessService -IncludeAlternateServiceAccountCredentialStatus as a remote Exchange session and Export-Clixml
/// deliver it (issue 14): AlternateServiceAccountConfiguration as a deserialized object whose EffectiveCredentials are
/// the credentials' ToString text, as its ToString text alone, or $null when the switch was not given.
/// </summary>
public sealed class AlternateServiceAccountReaderTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.Asa." + Guid.NewGuid().ToString("N"));

    public AlternateServiceAccountReaderTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Every_server_with_the_same_asa_reads_latest_first()
    {
        AsaInventory asa = AlternateServiceAccountReader.ReadFile(KerberosFixture.File("GetClientAccessService-Asa.xml"), CancellationToken.None);

        Assert.Equal(new[] { "EX01", "EX02" }, asa.Servers.Select(s => s.Server).ToArray());
        ClientAccessAsaFacts ex01 = asa.Servers[0];
        Assert.Equal(AsaState.Set, ex01.State);
        Assert.Equal("EX01.contoso.com", ex01.Fqdn);
        Assert.Equal(new[] { @"CONTOSO\EXCH-ASA$", @"CONTOSO\EXCH-ASA$" }, ex01.Accounts);
        Assert.Equal("Latest: 12/1/2026 10:19:22 AM, CONTOSO\\EXCH-ASA$\r\nPrevious: 6/3/2026 8:02:11 AM, CONTOSO\\EXCH-ASA$", ex01.Text);
        Assert.Equal(@"CONTOSO\EXCH-ASA$", asa.Account);
        Assert.True(asa.AnySet);
    }

    [Fact]
    public void Not_set_and_not_read_are_told_apart()
    {
        AsaInventory partial = AlternateServiceAccountReader.ReadFile(KerberosFixture.File("GetClientAccessService-Partial.xml"), CancellationToken.None);
        Assert.Equal(new[] { AsaState.Set, AsaState.NotSet }, partial.Servers.Select(s => s.State).ToArray());
        Assert.Empty(partial.Servers[1].Accounts);
        Assert.Equal(true, partial.ConfiguredOn("EX01"));
        Assert.Equal(false, partial.ConfiguredOn("ex02.contoso.com"));

        AsaInventory notRead = AlternateServiceAccountReader.ReadFile(KerberosFixture.File("GetClientAccessService-NotRead.xml"), CancellationToken.None);
        Assert.Equal(new[] { AsaState.NotRead, AsaState.NotRead }, notRead.Servers.Select(s => s.State).ToArray());
        Assert.Null(notRead.AnySet);
        Assert.Null(notRead.ConfiguredOn("EX01"));
    }

    [Fact]
    public void Configuration_that_arrived_as_text_only_is_read_from_its_latest_line()
    {
        // A remote session at serialization depth 1 leaves the nested configuration as its ToString text.
        const string Xml = """
            <Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">
              <Obj RefId="0">
                <TN RefId="0"><T>Deserialized.Microsoft.Exchange.Data.Directory.Management.ClientAccessServer</T><T>Deserialized.System.Object</T></TN>
                <ToString>EX03</ToString>
                <Props>
                  <S N="Name">EX03</S>
                  <S N="AlternateServiceAccountConfiguration">Latest: 12/1/2026 10:19:22 AM, CONTOSO\EXCH-ASA$_x000D__x000A_Previous: &lt;Not set&gt;</S>
                </Props>
              </Obj>
              <Obj RefId="1">
                <TNRef RefId="0" />
                <ToString>EX04</ToString>
                <Props>
                  <S N="Name">EX04</S>
                  <S N="AlternateServiceAccountConfiguration">Latest: &lt;Not set&gt;_x000D__x000A_Previous: &lt;Not set&gt;</S>
                </Props>
              </Obj>
            </Objs>
            """;
        ClientAccessAsaFacts[] servers = ClixmlReader.ReadText(Xml).Select(o => AlternateServiceAccountReader.Read((System.Management.Automation.PSObject)o!)).ToArray();

        Assert.Equal((AsaState.Set, @"CONTOSO\EXCH-ASA$"), (servers[0].State, servers[0].Latest));
        Assert.Equal((AsaState.NotSet, (string?)null), (servers[1].State, servers[1].Latest));
    }

    [Fact]
    public void An_export_of_something_else_is_refused_naming_what_to_export()
    {
        string path = Path.Combine(_folder, "mailbox.xml");
        File.WriteAllText(path, """
            <Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">
              <Obj RefId="0"><TN RefId="0"><T>Deserialized.Microsoft.Exchange.Data.Directory.Management.CASMailbox</T></TN><ToString>alice</ToString>
                <Props><S N="Name">alice</S><B N="MapiHttpEnabled">true</B></Props></Obj>
            </Objs>
            """);

        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => AlternateServiceAccountReader.ReadFile(path, CancellationToken.None));

        Assert.Equal($"'{path}': object 1 (alice) has no AlternateServiceAccountConfiguration property: it is not Get-ClientAccessService output. Export it with Get-ClientAccessService -IncludeAlternateServiceAccountCredentialStatus | Export-Clixml <path>.", ex.Message);
    }
}
