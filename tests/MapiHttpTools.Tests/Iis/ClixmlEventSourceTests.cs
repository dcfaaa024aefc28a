using System;
using System.IO;
using System.Threading;
using MapiHttpTools.Iis;
using Xunit;

namespace MapiHttpTools.Tests.Iis;

/// <summary>Events exported with Get-WinEvent | Export-Clixml: one top-level object per event, as the cmdlet writes them.</summary>
public sealed class ClixmlEventSourceTests : IDisposable
{
    // The shape Export-Clixml gives a Get-WinEvent record at its default depth: Properties flattened to type names,
    // Message among the extended members, TimeCreated with its offset.
    private const string ExportClixml = """
        <Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">
          <Obj RefId="0">
            <TN RefId="0">
              <T>System.Diagnostics.Eventing.Reader.EventLogRecord</T>
              <T>System.Diagnostics.Eventing.Reader.EventRecord</T>
              <T>System.Object</T>
            </TN>
            <ToString>System.Diagnostics.Eventing.Reader.EventLogRecord</ToString>
            <Props>
              <I32 N="Id">5002</I32>
              <S N="ProviderName">Microsoft-Windows-WAS</S>
              <S N="LogName">System</S>
              <S N="MachineName">EX02.contoso.com</S>
              <DT N="TimeCreated">2024-03-01T10:15:00+01:00</DT>
              <Obj N="Properties" RefId="1">
                <TN RefId="1">
                  <T>System.Collections.Generic.List`1[[System.Diagnostics.Eventing.Reader.EventProperty, System.Core]]</T>
                  <T>System.Object</T>
                </TN>
                <LST>
                  <S>System.Diagnostics.Eventing.Reader.EventProperty</S>
                </LST>
              </Obj>
            </Props>
            <MS>
              <S N="Message">Application pool 'MSExchangeMapiMailboxAppPool' is being automatically disabled due to a series of failures in the process(es) serving that application pool.</S>
            </MS>
          </Obj>
          <Obj RefId="2">
            <TNRef RefId="0" />
            <ToString>System.Diagnostics.Eventing.Reader.EventLogRecord</ToString>
            <Props>
              <I32 N="Id">5011</I32>
              <S N="ProviderName">Microsoft-Windows-WAS</S>
              <S N="LogName">System</S>
              <S N="MachineName">EX02.contoso.com</S>
              <DT N="TimeCreated">2024-03-01T09:00:00+01:00</DT>
              <Nil N="Properties" />
            </Props>
            <MS>
              <S N="Message">A process serving application pool 'MSExchangeMapiMailboxAppPool' suffered a fatal communication error with the Windows Process Activation Service. The process id was '1234'.</S>
            </MS>
          </Obj>
        </Objs>
        """;

    private readonly IisFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void An_Export_Clixml_of_Get_WinEvent_is_read_and_counted()
    {
        string path = _fixture.Text(ExportClixml, "System.xml");
        File.SetLastWriteTimeUtc(path, new DateTime(2024, 3, 1, 12, 0, 0, DateTimeKind.Utc));

        ClixmlEventSource source = ClixmlEventSource.Load(path, CancellationToken.None);
        EventReadResult read = source.Read(TimeSpan.FromHours(24), CancellationToken.None);

        Assert.Equal(2, source.Count);
        Assert.Equal("EX02.contoso.com", source.MachineName);
        Assert.Equal(new DateTime(2024, 2, 29, 12, 0, 0, DateTimeKind.Utc), read.WindowStartUtc);
        Assert.Equal(new DateTime(2024, 3, 1, 9, 15, 0, DateTimeKind.Utc), read.Events![0].TimeCreatedUtc);
        Assert.Equal(5002, read.Events[0].Id);

        var results = new MapiAppPoolHealthChecker(IisFixture.Load(IisFixture.ConfigPath), source, null, TimeSpan.FromHours(24), null, null).Run(CancellationToken.None);
        Assert.Equal(1, results[1].DisableCount);
        Assert.Equal(1, results[1].CrashCount);
        Assert.Equal(new DateTime(2024, 3, 1, 9, 15, 0, DateTimeKind.Utc).ToLocalTime(), results[1].LatestEventTime);
        Assert.Equal(CheckStatus.Fail, results[1].Status);
        Assert.Equal("EX02.contoso.com", results[1].Server);
        Assert.Equal(0, results[0].CrashCount);
    }

    [Fact]
    public void Files_that_are_not_exported_events_are_refused_with_the_file_named()
    {
        string notXml = _fixture.Text("Id,TimeCreated\n5011,today\n", "events.csv");
        string noId = _fixture.Text("""<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj RefId="0"><MS><S N="Message">x</S></MS></Obj></Objs>""", "events.xml");

        Assert.Contains($"'{notXml}' is not an Export-Clixml file of events", Assert.Throws<InvalidDataException>(() => ClixmlEventSource.Load(notXml, CancellationToken.None)).Message);
        Assert.Equal($"'{noId}': object 1 has no Id property; export the events with Get-WinEvent ... | Export-Clixml.", Assert.Throws<InvalidDataException>(() => ClixmlEventSource.Load(noId, CancellationToken.None)).Message);
        Assert.Throws<FileNotFoundException>(() => ClixmlEventSource.Load(Path.Combine(_fixture.Folder, "none.xml"), CancellationToken.None));
    }
}
