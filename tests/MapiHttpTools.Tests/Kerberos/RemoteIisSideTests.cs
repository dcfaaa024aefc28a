using MapiHttpTools.Kerberos;
using Xunit;

namespace MapiHttpTools.Tests.Kerberos;

/// <summary>Another server's IIS is not opened from here (issue 17 removed ServerManager.OpenRemote): the IIS side says where to read it.</summary>
public sealed class RemoteIisSideTests
{
    [Fact]
    public void Another_servers_iis_side_is_unavailable_with_the_command_to_run_there()
    {
        IisSide side = AuthenticationFactReader.ReadIisLive("EX02", "ex02.contoso.com");

        Assert.Equal("EX02", side.Server);
        Assert.Equal("live IIS", side.Source);
        Assert.Null(side.Security);
        Assert.Equal(
            "IIS of EX02 is read on that server: run Test-MapiHttpAuthentication there (Invoke-Command -ComputerName ex02.contoso.com { Test-MapiHttpAuthentication })",
            side.UnavailableReason);
    }
}
