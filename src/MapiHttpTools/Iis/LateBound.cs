using System;
using System.Collections;
using System.Collections.Generic;
using System.Reflection;

namespace MapiHttpTools.Iis;

/// <summary>
/// Small reflection helpers for an assembly bound at run time (Microsoft.Web.Administration is not a package the
/// module can reference; it exists only on IIS hosts). Failures of the bound code surface as their own exception,
/// not as TargetInvocationException.
/// </summary>
internal static class LateBound
{
    public static object? Get(object target, string property)
    {
        PropertyInfo info = target.GetType().GetProperty(property, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new MissingMemberException(target.GetType().FullName, property);
        try
        {
            return info.GetValue(target, null);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw Unwrap(ex);
        }
    }

    public static object? Call(object target, string method, params object?[] arguments)
    {
        var types = new Type[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
        {
            types[i] = arguments[i]?.GetType() ?? typeof(object);
        }

        MethodInfo info = target.GetType().GetMethod(method, BindingFlags.Public | BindingFlags.Instance, null, types, null)
            ?? throw new MissingMethodException(target.GetType().FullName, method);
        return Invoke(info, target, arguments);
    }

    public static object? CallStatic(Type type, string method, params object?[] arguments)
    {
        var types = new Type[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
        {
            types[i] = arguments[i]?.GetType() ?? typeof(object);
        }

        MethodInfo info = type.GetMethod(method, BindingFlags.Public | BindingFlags.Static, null, types, null)
            ?? throw new MissingMethodException(type.FullName, method);
        return Invoke(info, null, arguments);
    }

    public static IEnumerable<object> Items(object? collection)
    {
        if (collection is not IEnumerable enumerable)
        {
            yield break;
        }

        foreach (object? item in enumerable)
        {
            if (item is not null)
            {
                yield return item;
            }
        }
    }

    public static string? Text(object? value) => value?.ToString();

    private static object? Invoke(MethodInfo info, object? target, object?[] arguments)
    {
        try
        {
            return info.Invoke(target, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw Unwrap(ex);
        }
    }

    private static Exception Unwrap(TargetInvocationException ex)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException!).Throw();
        return ex.InnerException!;
    }
}
