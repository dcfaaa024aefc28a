using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Xml;

namespace MapiHttpTools.Infrastructure.Clixml;

/// <summary>
/// Reads CLIXML (Export-Clixml, PSSerializer.Serialize) as data, never as objects (issue 20). PSSerializer.Deserialize
/// rehydrates through the session's type table: a type converter or TargetTypeForDeserialization registered in the
/// session (Exchange Management Shell registers Exchange's) runs for every object of a file a customer sent, the class
/// of flaw behind ProxyNotShell. This reader knows no types: it yields strings, numbers, dates, byte arrays, lists
/// (ArrayList), dictionaries (OrderedDictionary, keys compared ignoring case) and property bags
/// (<see cref="ClixmlObject"/>: NoteProperties, type names prefixed "Deserialized." as PowerShell gives them, the
/// original ToString). It never consults a type table, converter or resolver; DTDs are refused, nesting is bounded,
/// Ref/TNRef resolve only to objects earlier in the same file, and a SecureString is refused.
/// </summary>
internal static class ClixmlReader
{
    /// <summary>How deep objects may nest; Exchange objects and the module's own files stay far below it.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>The size limit for CLIXML inputs that have no limit of their own (event exports, binding exports, backups).</summary>
    public const long DefaultMaxFileBytes = 256L * 1024 * 1024;

    /// <summary>
    /// Reads a file through <see cref="InputFile"/> (regular file, at most <paramref name="maxBytes"/>, bounded read) and
    /// streams it through the reader: the text is never held whole.
    /// </summary>
    public static IReadOnlyList<object?> ReadFile(string path, string what, long maxBytes, int maxDepth = DefaultMaxDepth)
    {
        using Stream stream = InputFile.OpenRead(path, what, maxBytes);
        return Read(stream, maxDepth);
    }

    /// <summary>Reads CLIXML text (tests, small in-memory documents).</summary>
    public static IReadOnlyList<object?> ReadText(string xml, int maxDepth = DefaultMaxDepth)
    {
        using var reader = new StringReader(xml);
        return Read(XmlReader.Create(reader, Settings()), maxDepth);
    }

    public static IReadOnlyList<object?> Read(Stream stream, int maxDepth = DefaultMaxDepth) =>
        Read(XmlReader.Create(new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true), Settings()), maxDepth);

    private static XmlReaderSettings Settings() => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        MaxCharactersFromEntities = 0,
        CloseInput = true,
    };

    private static IReadOnlyList<object?> Read(XmlReader xml, int maxDepth)
    {
        using (xml)
        {
            try
            {
                return new Parser(xml, maxDepth).Document();
            }
            catch (XmlException ex)
            {
                throw new ClixmlException($"it is not well-formed CLIXML ({ex.Message})", ex);
            }
        }
    }

    private sealed class Parser
    {
        private readonly XmlReader _xml;
        private readonly int _maxDepth;
        private readonly Dictionary<string, object?> _objects = new(StringComparer.Ordinal);
        private readonly HashSet<string> _open = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string[]> _typeNames = new(StringComparer.Ordinal);
        private readonly HashSet<string> _noteNames = new(StringComparer.OrdinalIgnoreCase);
        private int _depth;

        public Parser(XmlReader xml, int maxDepth)
        {
            _xml = xml;
            _maxDepth = maxDepth;
        }

        public IReadOnlyList<object?> Document()
        {
            _xml.MoveToContent();
            if (_xml.NodeType != XmlNodeType.Element || _xml.LocalName != "Objs")
            {
                throw new ClixmlException($"the root element is <{_xml.LocalName}>, not <Objs>");
            }

            var items = new List<object?>();
            if (_xml.IsEmptyElement)
            {
                return items;
            }

            _xml.Read();
            while (_xml.NodeType != XmlNodeType.EndElement)
            {
                items.Add(Value());
            }

            return items;
        }

        /// <summary>Reads the element at the cursor and moves past it.</summary>
        private object? Value()
        {
            if (_xml.NodeType != XmlNodeType.Element)
            {
                throw Bad($"unexpected {_xml.NodeType} content");
            }

            switch (_xml.LocalName)
            {
                case "Obj":
                    return Obj();
                case "Ref":
                    return Ref();
                case "Nil":
                    _xml.Skip();
                    return null;
                case "SS":
                    throw Bad("it holds a SecureString; secrets are never read from a file");
                default:
                    return Primitive();
            }
        }

        private object? Ref()
        {
            string id = _xml.GetAttribute("RefId") ?? throw Bad("a <Ref> has no RefId");
            _xml.Skip();
            if (_open.Contains(id))
            {
                throw Bad($"a <Ref> points to object {Safe(id)} from inside itself (a reference loop)");
            }

            return _objects.TryGetValue(id, out object? target) ? target : throw Bad($"a <Ref> points to object {Safe(id)}, which is not earlier in the file");
        }

        private object? Primitive()
        {
            string name = _xml.LocalName;
            string text = _xml.ReadElementContentAsString();

            try
            {
                return name switch
                {
                    "S" or "XD" or "SBK" or "PR" => Unescape(text),
                    "C" => (char)ushort.Parse(text, CultureInfo.InvariantCulture),
                    "B" => XmlConvert.ToBoolean(text),
                    "By" => byte.Parse(text, CultureInfo.InvariantCulture),
                    "SB" => sbyte.Parse(text, CultureInfo.InvariantCulture),
                    "I16" => short.Parse(text, CultureInfo.InvariantCulture),
                    "U16" => ushort.Parse(text, CultureInfo.InvariantCulture),
                    "I32" => int.Parse(text, CultureInfo.InvariantCulture),
                    "U32" => uint.Parse(text, CultureInfo.InvariantCulture),
                    "I64" => long.Parse(text, CultureInfo.InvariantCulture),
                    "U64" => ulong.Parse(text, CultureInfo.InvariantCulture),
                    "Sg" => XmlConvert.ToSingle(text),
                    "Db" => XmlConvert.ToDouble(text),
                    "D" => XmlConvert.ToDecimal(text),
                    "DT" => XmlConvert.ToDateTime(text, XmlDateTimeSerializationMode.RoundtripKind),
                    "TS" => XmlConvert.ToTimeSpan(text),
                    "G" => Guid.Parse(text),
                    "URI" => new Uri(Unescape(text), UriKind.RelativeOrAbsolute),
                    "Version" => Version.Parse(text),
                    "BA" => Convert.FromBase64String(text),
                    _ => throw Bad($"it holds an element <{Safe(name)}> that CLIXML does not define"),
                };
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException or UriFormatException)
            {
                throw Bad($"the {name} value '{Safe(text)}' is not valid ({ex.Message})", ex);
            }
        }

        private object Obj()
        {
            if (++_depth > _maxDepth)
            {
                throw Bad($"objects are nested more than {_maxDepth} deep");
            }

            string? refId = _xml.GetAttribute("RefId");
            if (refId is not null && (_objects.ContainsKey(refId) || !_open.Add(refId)))
            {
                throw Bad($"two objects have RefId {Safe(refId)}");
            }

            string[] typeNames = Array.Empty<string>();
            string? toString = null;
            object? baseValue = null;
            bool hasBase = false;
            var notes = new List<KeyValuePair<string, object?>>();

            if (_xml.IsEmptyElement)
            {
                _xml.Read();
            }
            else
            {
                _xml.Read();
                while (_xml.NodeType != XmlNodeType.EndElement)
                {
                    if (_xml.NodeType != XmlNodeType.Element)
                    {
                        throw Bad($"unexpected {_xml.NodeType} in an object");
                    }

                    switch (_xml.LocalName)
                    {
                        case "TN":
                            typeNames = TypeNames();
                            break;
                        case "TNRef":
                            string tnRef = _xml.GetAttribute("RefId") ?? throw Bad("a <TNRef> has no RefId");
                            typeNames = _typeNames.TryGetValue(tnRef, out string[]? known) ? known : throw Bad($"a <TNRef> points to type list {Safe(tnRef)}, which is not earlier in the file");
                            _xml.Skip();
                            break;
                        case "ToString":
                            toString = Unescape(_xml.ReadElementContentAsString());
                            break;
                        case "Props":
                        case "MS":
                            Members(notes);
                            break;
                        case "LST":
                        case "IE":
                        case "ST":
                        case "QUE":
                            baseValue = List();
                            hasBase = true;
                            break;
                        case "DCT":
                            baseValue = Dictionary();
                            hasBase = true;
                            break;
                        default:
                            baseValue = Value();
                            hasBase = true;
                            break;
                    }
                }

                _xml.Read();
            }

            var result = new ClixmlObject(hasBase ? baseValue : null, typeNames, toString);
            _noteNames.Clear();
            foreach (KeyValuePair<string, object?> note in notes)
            {
                if (_noteNames.Add(note.Key))
                {
                    result.AddNote(note.Key, note.Value);
                }
            }

            if (refId is not null)
            {
                _open.Remove(refId);
                _objects[refId] = result;
            }

            _depth--;
            return result;
        }

        private string[] TypeNames()
        {
            string? refId = _xml.GetAttribute("RefId");
            var names = new List<string>();
            if (_xml.IsEmptyElement)
            {
                _xml.Read();
            }
            else
            {
                _xml.Read();
                while (_xml.NodeType != XmlNodeType.EndElement)
                {
                    if (_xml.NodeType != XmlNodeType.Element || _xml.LocalName != "T")
                    {
                        throw Bad("a <TN> holds something other than <T> type names");
                    }

                    names.Add("Deserialized." + Unescape(_xml.ReadElementContentAsString()));
                }

                _xml.Read();
            }

            string[] result = names.ToArray();
            if (refId is not null)
            {
                _typeNames[refId] = result;
            }

            return result;
        }

        private void Members(List<KeyValuePair<string, object?>> notes)
        {
            if (_xml.IsEmptyElement)
            {
                _xml.Read();
                return;
            }

            _xml.Read();
            while (_xml.NodeType != XmlNodeType.EndElement)
            {
                string name = Unescape(_xml.GetAttribute("N") ?? throw Bad($"a property <{Safe(_xml.LocalName)}> has no name (N)"));
                notes.Add(new KeyValuePair<string, object?>(name, Value()));
            }

            _xml.Read();
        }

        private ArrayList List()
        {
            var list = new ArrayList();
            if (_xml.IsEmptyElement)
            {
                _xml.Read();
                return list;
            }

            _xml.Read();
            while (_xml.NodeType != XmlNodeType.EndElement)
            {
                list.Add(Value());
            }

            _xml.Read();
            return list;
        }

        private OrderedDictionary Dictionary()
        {
            var table = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            if (_xml.IsEmptyElement)
            {
                _xml.Read();
                return table;
            }

            _xml.Read();
            while (_xml.NodeType != XmlNodeType.EndElement)
            {
                if (_xml.NodeType != XmlNodeType.Element || _xml.LocalName != "En")
                {
                    throw Bad("a <DCT> holds something other than <En> entries");
                }

                object? key = null;
                object? value = null;
                bool hasKey = false;
                if (_xml.IsEmptyElement)
                {
                    throw Bad("a dictionary entry has no Key");
                }

                _xml.Read();
                while (_xml.NodeType != XmlNodeType.EndElement)
                {
                    string? role = _xml.GetAttribute("N");
                    object? item = Value();
                    if (role == "Key")
                    {
                        key = item;
                        hasKey = true;
                    }
                    else if (role == "Value")
                    {
                        value = item;
                    }
                }

                _xml.Read();
                if (!hasKey || key is null)
                {
                    throw Bad("a dictionary entry has no Key");
                }

                object plainKey = key is PSObject pso ? pso.BaseObject : key;
                if (table.Contains(plainKey))
                {
                    throw Bad($"a dictionary has the key '{Safe(plainKey.ToString())}' twice");
                }

                table.Add(plainKey, value);
            }

            _xml.Read();
            return table;
        }

        private ClixmlException Bad(string why, Exception? inner = null)
        {
            var info = _xml as IXmlLineInfo;
            string where = info is not null && info.HasLineInfo() ? $" (line {info.LineNumber}, position {info.LinePosition})" : string.Empty;
            return new ClixmlException(why + where, inner);
        }

        private static string Safe(string? text) => DisplayText.Safe(text, 64);
    }

    /// <summary>
    /// CLIXML escapes characters XML cannot carry as _xHHHH_ (a literal "_x" is written _x005F_x). This undoes it.
    /// </summary>
    internal static string Unescape(string text)
    {
        int start = text.IndexOf("_x", StringComparison.Ordinal);
        if (start < 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            if (i + 6 < text.Length && text[i] == '_' && text[i + 1] == 'x' && text[i + 6] == '_' &&
                ushort.TryParse(text.Substring(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code))
            {
                result.Append((char)code);
                i += 7;
            }
            else
            {
                result.Append(text[i]);
                i++;
            }
        }

        return result.ToString();
    }
}

/// <summary>A CLIXML file that cannot be read as data; the message says why and where (without the file name: callers add it).</summary>
internal sealed class ClixmlException : InvalidOperationException
{
    public ClixmlException(string reason, Exception? inner = null)
        : base(reason, inner)
    {
        Reason = reason;
    }

    public string Reason { get; }
}
