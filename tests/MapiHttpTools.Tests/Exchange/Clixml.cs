using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Text;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>
/// Writes CLIXML the way a remote Exchange session serializes its objects (type names, ToString, enums as
/// ToString + I32, multi-valued properties as LST), so what PSSerializer gives back is the same Deserialized.*
/// property bag a real session returns.
/// </summary>
internal sealed class Clixml
{
    private readonly StringBuilder _xml = new();
    private int _refId;

    private Clixml()
    {
    }

    /// <summary>One object of the given Exchange type (most derived first) with <paramref name="props"/>.</summary>
    public static PSObject Object(IEnumerable<string> typeNames, string toString, params Action<Clixml>[] props)
    {
        var writer = new Clixml();
        writer._xml.Append("<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">");
        writer.WriteObj(null, typeNames, toString, props);
        writer._xml.Append("</Objs>");
        return PSObject.AsPSObject(PSSerializer.Deserialize(writer._xml.ToString()));
    }

    public static Action<Clixml> S(string name, string? value) => w => w._xml.Append(value is null ? $"<Nil N=\"{name}\" />" : $"<S N=\"{name}\">{Escape(value)}</S>");

    public static Action<Clixml> B(string name, bool value) => w => w._xml.Append($"<B N=\"{name}\">{(value ? "true" : "false")}</B>");

    public static Action<Clixml> NullableB(string name, bool? value) => value is null ? Nil(name) : B(name, value.Value);

    public static Action<Clixml> Nil(string name) => w => w._xml.Append($"<Nil N=\"{name}\" />");

    public static Action<Clixml> I32(string name, int value) => w => w._xml.Append($"<I32 N=\"{name}\">{value}</I32>");

    public static Action<Clixml> Uri(string name, string? url) => w => w._xml.Append(url is null ? $"<Nil N=\"{name}\" />" : $"<URI N=\"{name}\">{Escape(url)}</URI>");

    public static Action<Clixml> Bytes(string name, byte[] value) => w => w._xml.Append($"<BA N=\"{name}\">{Convert.ToBase64String(value)}</BA>");

    public static Action<Clixml> Date(string name, DateTime value) => w => w._xml.Append($"<DT N=\"{name}\">{value.ToUniversalTime():yyyy-MM-ddTHH:mm:ss.fffffffZ}</DT>");

    /// <summary>An enum value as Exchange serializes it: type, ToString name and the number.</summary>
    public static Action<Clixml> Enum(string name, string enumType, string text, int value) => w =>
        w.WriteEnum(name, enumType, text, value);

    /// <summary>An object-valued property that only matters by its ToString (ADObjectId, SmtpAddress, Hostname, ServerVersion).</summary>
    public static Action<Clixml> Text(string name, string typeName, string? text) => w =>
    {
        if (text is null)
        {
            w._xml.Append($"<Nil N=\"{name}\" />");
            return;
        }

        w.WriteObj(name, new[] { typeName, "System.Object" }, text, Array.Empty<Action<Clixml>>());
    };

    /// <summary>A MultiValuedProperty of an enum, e.g. IISAuthenticationMethods.</summary>
    public static Action<Clixml> EnumList(string name, string enumType, IEnumerable<string> values) => w =>
    {
        w._xml.Append($"<Obj N=\"{name}\" RefId=\"{w._refId++}\"><TN RefId=\"{w._refId++}\">")
            .Append($"<T>Microsoft.Exchange.Data.MultiValuedProperty`1[[{enumType}, Microsoft.Exchange.Data.Directory, Version=15.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]</T>")
            .Append("<T>Microsoft.Exchange.Data.MultiValuedPropertyBase</T><T>System.Object</T></TN><LST>");
        foreach (string value in values)
        {
            w.WriteEnum(null, enumType, value, EnumNumber(enumType, value));
        }

        w._xml.Append("</LST></Obj>");
    };

    /// <summary>A list of nested property bags (ServerComponentState LocalStates / RemoteStates).</summary>
    public static Action<Clixml> ObjList(string name, string itemType, IEnumerable<Action<Clixml>[]> items) => w =>
    {
        w._xml.Append($"<Obj N=\"{name}\" RefId=\"{w._refId++}\"><TN RefId=\"{w._refId++}\"><T>System.Collections.Generic.List`1[[{itemType}]]</T><T>System.Object</T></TN><LST>");
        foreach (Action<Clixml>[] props in items)
        {
            w.WriteObj(null, new[] { itemType, "System.Object" }, itemType, props);
        }

        w._xml.Append("</LST></Obj>");
    };

    /// <summary>
    /// The number Exchange writes beside the name (issue 11: a reader that takes the number sees "2, 13", not
    /// "Ntlm, Negotiate"). AuthenticationMethod: Basic 0, Digest 1, Ntlm 2, Fba 3, WindowsIntegrated 4, LiveIdFba 5,
    /// LiveIdBasic 6, WSSecurity 7, Certificate 8, NegoEx 9, OAuth 10, Adfs 11, Kerberos 12, Negotiate 13.
    /// </summary>
    public static int EnumNumber(string enumType, string name)
    {
        if (!enumType.EndsWith("AuthenticationMethod", StringComparison.Ordinal))
        {
            return 0;
        }

        string[] names = { "Basic", "Digest", "Ntlm", "Fba", "WindowsIntegrated", "LiveIdFba", "LiveIdBasic", "WSSecurity", "Certificate", "NegoEx", "OAuth", "Adfs", "Kerberos", "Negotiate" };
        int index = Array.FindIndex(names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index : throw new ArgumentException($"'{name}' is not an AuthenticationMethod.", nameof(name));
    }

    private void WriteEnum(string? name, string enumType, string text, int value)
    {
        string n = name is null ? string.Empty : $" N=\"{name}\"";
        _xml.Append($"<Obj{n} RefId=\"{_refId++}\"><TN RefId=\"{_refId++}\"><T>{enumType}</T><T>System.Enum</T><T>System.ValueType</T><T>System.Object</T></TN>")
            .Append($"<ToString>{Escape(text)}</ToString><I32>{value}</I32></Obj>");
    }

    private void WriteObj(string? name, IEnumerable<string> typeNames, string toString, Action<Clixml>[] props)
    {
        string n = name is null ? string.Empty : $" N=\"{name}\"";
        _xml.Append($"<Obj{n} RefId=\"{_refId++}\"><TN RefId=\"{_refId++}\">");
        foreach (string type in typeNames)
        {
            _xml.Append($"<T>{Escape(type)}</T>");
        }

        _xml.Append($"</TN><ToString>{Escape(toString)}</ToString><Props>");
        foreach (Action<Clixml> prop in props)
        {
            prop(this);
        }

        _xml.Append("</Props></Obj>");
    }

    private static string Escape(string text) => SecurityElement.Escape(text)!;
}
