using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Logs;

/// <summary>Read-MapiHttpLog and Get-MapiHttpLogSummary as an admin runs them, in the hosted engine.</summary>
public sealed class LogCmdletTests
{
    [Fact]
    public void Read_streams_typed_records_that_Where_Object_filters()
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke("Read-MapiHttpLog -LiteralPath $path | Where-Object Status -ge 500", new Dictionary<string, object?> { ["path"] = LogFixtures.HttpProxy });

        Assert.Empty(result.Errors);
        HttpProxyLogRecord[] records = result.Objects<HttpProxyLogRecord>().ToArray();
        Assert.Equal(new[] { 503, 503, 500 }, records.Select(r => r.Status!.Value));
    }
}
