using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MapiHttpTools.Logs;

/// <summary>The log files under a folder: *.log in any letter case (Exchange writes .LOG, IIS .log), recursively, sorted.</summary>
internal static class LogFolder
{
    public static IEnumerable<string> Enumerate(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".log", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => f, StringComparer.OrdinalIgnoreCase);
}
