using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace MapiHttpTools.Diagnostics;

/// <summary>
/// Every result of a diagnostic run, for the verdict, added from any thread (issue 11: the endpoint probe emits from
/// worker threads, and an unlocked List lost results before the verdict). It also remembers which results came
/// from probing a namespace, so the verdict never counts those as a server.
/// </summary>
internal sealed class ResultCollector
{
    private readonly object _gate = new();
    private readonly List<MapiHttpResult> _results = new();
    private readonly HashSet<MapiHttpResult> _fromNamespace = new(ReferenceComparer.Instance);

    public void Add(MapiHttpResult result, bool fromNamespace)
    {
        if (result is null)
        {
            throw new ArgumentNullException(nameof(result));
        }

        lock (_gate)
        {
            _results.Add(result);
            if (fromNamespace)
            {
                _fromNamespace.Add(result);
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _results.Count;
            }
        }
    }

    /// <summary>A copy of the results so far, in arrival order, and whether each came from a namespace probe.</summary>
    public (IReadOnlyList<MapiHttpResult> Results, Func<MapiHttpResult, bool> FromNamespace) Snapshot()
    {
        lock (_gate)
        {
            var namespaces = new HashSet<MapiHttpResult>(_fromNamespace, ReferenceComparer.Instance);
            return (_results.ToArray(), namespaces.Contains);
        }
    }

    /// <summary>Results by reference: two equal-looking results are still two results.</summary>
    private sealed class ReferenceComparer : IEqualityComparer<MapiHttpResult>
    {
        public static readonly ReferenceComparer Instance = new();

        public bool Equals(MapiHttpResult? x, MapiHttpResult? y) => ReferenceEquals(x, y);

        public int GetHashCode(MapiHttpResult obj) => RuntimeHelpers.GetHashCode(obj);
    }
}
