using System;
using System.IO;

namespace MapiHttpTools.Tests.Kerberos;

/// <summary>
/// The saved setspn output and Get-ClientAccessService exports of issue 14, written as Windows and Export-Clixml write
/// them: setspn -Q/-X redirected by PowerShell 5.1 (UTF-16 LE with BOM, CRLF) or cmd.exe (ASCII, CRLF), and a remote
/// Exchange session's ClientAccessServer objects with AlternateServiceAccountConfiguration.
/// </summary>
internal static class KerberosFixture
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Kerberos");

    public static string File(string name) => Path.Combine(Folder, name);
}
