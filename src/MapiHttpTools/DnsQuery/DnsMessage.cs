using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MapiHttpTools.DnsQuery;

/// <summary>The RCODE values of RFC 1035 4.1.1 the SRV lookup tells apart.</summary>
internal static class DnsResponseCodes
{
    public const int NoError = 0;
    public const int FormatError = 1;
    public const int ServerFailure = 2;
    public const int NameError = 3;
    public const int NotImplemented = 4;
    public const int Refused = 5;

    /// <summary>The RFC 1035 name of a code, as dig and Resolve-DnsName print it.</summary>
    public static string Name(int code) => code switch
    {
        NoError => "NOERROR",
        FormatError => "FORMERR",
        ServerFailure => "SERVFAIL",
        NameError => "NXDOMAIN",
        NotImplemented => "NOTIMP",
        Refused => "REFUSED",
        _ => "RCODE " + code.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>One SRV record (RFC 2782): where the service for the name is, and in which order to try it.</summary>
internal sealed record SrvRecord(int Priority, int Weight, int Port, string Target, uint TimeToLive)
{
    /// <summary>"priority weight port target", the order of the record's presentation format.</summary>
    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} {1} {2} {3}", Priority, Weight, Port, Target);
}

/// <summary>What an answer to our SRV question said, once checked against the question asked.</summary>
internal sealed record DnsSrvResponse(int ResponseCode, bool Truncated, bool Authoritative, IReadOnlyList<SrvRecord> Records, int IgnoredRecords);

/// <summary>An answer that is not a well-formed reply to our question (a hostile or broken server): never used.</summary>
internal sealed class DnsFormatException : Exception
{
    public DnsFormatException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// The DNS message format of RFC 1035 section 4, written for the one question Test-MapiHttpAutodiscover asks (issue 14):
/// the SRV records (RFC 2782, type 33) of _autodiscover._tcp.&lt;domain&gt;. .NET has no SRV query on net472 or in
/// PowerShell 7, so the module asks the resolvers itself. The reader treats every answer as hostile: each offset is
/// checked against the message, a compression pointer must point strictly backwards (so pointers cannot loop), a
/// name is at most 255 bytes, and counts are checked against the bytes actually there before anything is allocated.
/// </summary>
internal static class DnsMessage
{
    public const int TypeSrv = 33;
    public const int TypeCname = 5;
    public const int ClassInternet = 1;
    public const int HeaderLength = 12;

    /// <summary>RFC 1035 2.3.4: a name is at most 255 bytes in wire form, a label at most 63.</summary>
    public const int MaxNameLength = 255;
    public const int MaxLabelLength = 63;

    /// <summary>A UDP or TCP DNS message is at most 65,535 bytes (TCP's two-byte length prefix).</summary>
    public const int MaxMessageLength = 65535;

    /// <summary>
    /// The query: header with ID, RD set (the resolver recurses for us), one question (name, QTYPE SRV, QCLASS IN).
    /// </summary>
    public static byte[] SrvQuery(ushort id, string name)
    {
        byte[] encodedName = EncodeName(name);
        var message = new byte[HeaderLength + encodedName.Length + 4];
        WriteUInt16(message, 0, id);
        message[2] = 0x01; // QR=0 (query), OPCODE=0 (standard), AA=0, TC=0, RD=1
        message[3] = 0x00; // RA=0, Z=0, RCODE=0
        WriteUInt16(message, 4, 1); // QDCOUNT
        Buffer.BlockCopy(encodedName, 0, message, HeaderLength, encodedName.Length);
        int offset = HeaderLength + encodedName.Length;
        WriteUInt16(message, offset, TypeSrv);
        WriteUInt16(message, offset + 2, ClassInternet);
        return message;
    }

    /// <summary>A host name as length-prefixed labels ending in the root's zero byte; international names as IDNA (punycode).</summary>
    public static byte[] EncodeName(string name)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        string trimmed = name.TrimEnd('.');
        if (trimmed.Length == 0)
        {
            return new byte[] { 0 };
        }

        string ascii = AsciiName(trimmed);
        var bytes = new List<byte>(ascii.Length + 2);
        foreach (string label in ascii.Split('.'))
        {
            if (label.Length == 0 || label.Length > MaxLabelLength)
            {
                throw new ArgumentException($"'{name}' is not a DNS name (each label must be 1 to {MaxLabelLength} characters)");
            }

            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        if (bytes.Count > MaxNameLength)
        {
            throw new ArgumentException($"'{name}' is not a DNS name (longer than {MaxNameLength} bytes)");
        }

        return bytes.ToArray();
    }

    /// <summary>Whether <paramref name="name"/> can be asked at all (labels of 1 to 63 bytes, 255 in all), and if not why.</summary>
    public static bool IsQueryable(string name, out string problem)
    {
        try
        {
            EncodeName(name);
            problem = string.Empty;
            return true;
        }
        catch (ArgumentException ex)
        {
            problem = ex.Message.TrimEnd('.');
            return false;
        }
    }

    /// <summary>A name as it goes on the wire: international names as IDNA (punycode), others unchanged.</summary>
    public static string AsciiName(string name) => name.All(c => c < 0x80) ? name : new IdnMapping().GetAscii(name);

    /// <summary>The ID of a message, or -1 when it is too short to have one.</summary>
    public static int IdOf(byte[] message, int length) => length >= 2 ? ReadUInt16(message, 0) : -1;

    /// <summary>
    /// Reads the answer to <see cref="SrvQuery"/>: checks that it is a response to ID <paramref name="expectedId"/> echoing
    /// the question (<paramref name="expectedName"/>, SRV, IN), then collects the SRV records of the answer section
    /// whose owner is the name asked (or an alias of it the same answer gives by CNAME). Other records are counted, not
    /// used. Throws <see cref="DnsFormatException"/> for anything malformed.
    /// </summary>
    public static DnsSrvResponse ParseSrvResponse(byte[] message, int length, ushort expectedId, string expectedName)
    {
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }

        if (length < HeaderLength || length > message.Length)
        {
            throw new DnsFormatException($"the answer is {length} bytes, shorter than the {HeaderLength}-byte DNS header");
        }

        int id = ReadUInt16(message, 0);
        if (id != expectedId)
        {
            throw new DnsFormatException($"the answer's ID {id} is not the query's {expectedId}");
        }

        byte flags = message[2];
        if ((flags & 0x80) == 0)
        {
            throw new DnsFormatException("the answer is a query (QR bit not set), not a response");
        }

        int opcode = (flags >> 3) & 0x0F;
        if (opcode != 0)
        {
            throw new DnsFormatException($"the answer has OPCODE {opcode}, not the standard query's 0");
        }

        bool authoritative = (flags & 0x04) != 0;
        bool truncated = (flags & 0x02) != 0;
        int rcode = message[3] & 0x0F;
        int questions = ReadUInt16(message, 4);
        int answers = ReadUInt16(message, 6);

        // A truncated UDP answer is asked again over TCP; its sections may be cut anywhere, so they are not read.
        if (truncated)
        {
            return new DnsSrvResponse(rcode, true, authoritative, Array.Empty<SrvRecord>(), 0);
        }

        // Some servers answer FORMERR/REFUSED/NOTIMP without echoing the question (RFC 1035 allows it): RCODE alone speaks.
        if (questions == 0 && rcode != DnsResponseCodes.NoError && rcode != DnsResponseCodes.NameError)
        {
            return new DnsSrvResponse(rcode, false, authoritative, Array.Empty<SrvRecord>(), 0);
        }

        if (questions != 1)
        {
            throw new DnsFormatException($"the answer echoes {questions} questions, not the one asked");
        }

        int offset = HeaderLength;
        string questionName = ReadName(message, length, length, ref offset);
        RequireBytes(length, offset, 4, "the question");
        int questionType = ReadUInt16(message, offset);
        int questionClass = ReadUInt16(message, offset + 2);
        offset += 4;
        string asked = AsciiName(expectedName.TrimEnd('.'));
        if (!string.Equals(questionName, asked, StringComparison.OrdinalIgnoreCase) || questionType != TypeSrv || questionClass != ClassInternet)
        {
            throw new DnsFormatException($"the answer's question ({Printable(questionName)} type {questionType} class {questionClass}) is not the one asked ({asked} SRV IN)");
        }

        // Each resource record is at least 11 bytes (a 1-byte root name, type, class, TTL, RDLENGTH): a count the
        // remaining bytes cannot hold is refused before the loop, so a hostile ANCOUNT of 65,535 costs nothing.
        if (answers > (length - offset) / 11)
        {
            throw new DnsFormatException($"the answer claims {answers} records in the {length - offset} bytes left");
        }

        var owners = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { asked };
        var records = new List<SrvRecord>();
        int ignored = 0;
        for (int i = 0; i < answers; i++)
        {
            string owner = ReadName(message, length, length, ref offset);
            RequireBytes(length, offset, 10, $"answer record {i + 1}");
            int type = ReadUInt16(message, offset);
            int @class = ReadUInt16(message, offset + 2);
            uint ttl = ReadUInt32(message, offset + 4);
            int dataLength = ReadUInt16(message, offset + 8);
            offset += 10;
            RequireBytes(length, offset, dataLength, $"the data of answer record {i + 1}");
            int dataEnd = offset + dataLength;
            if (@class == ClassInternet && owners.Contains(owner) && type == TypeCname)
            {
                int at = offset;
                owners.Add(ReadName(message, length, dataEnd, ref at));
                RequireEnd(at, dataEnd, i);
            }
            else if (@class == ClassInternet && owners.Contains(owner) && type == TypeSrv)
            {
                if (dataLength < 7)
                {
                    throw new DnsFormatException($"SRV record {i + 1} has {dataLength} bytes of data, fewer than the 7 it needs");
                }

                int priority = ReadUInt16(message, offset);
                int weight = ReadUInt16(message, offset + 2);
                int port = ReadUInt16(message, offset + 4);
                int at = offset + 6;

                // RFC 2782 forbids compressing the target, but servers do it anyway; pointers are read, bounded to this record.
                string target = ReadName(message, length, dataEnd, ref at);
                RequireEnd(at, dataEnd, i);
                records.Add(new SrvRecord(priority, weight, port, target, ttl));
            }
            else
            {
                ignored++;
            }

            offset = dataEnd;
        }

        return new DnsSrvResponse(rcode, false, authoritative, records, ignored);
    }

    /// <summary>
    /// RFC 2782's order: lowest priority first; within a priority RFC 2782 picks at random in proportion to weight, so
    /// the heaviest is the most likely first pick and is listed first (ties keep the server's order). Deterministic,
    /// so two runs report the same order.
    /// </summary>
    public static IReadOnlyList<SrvRecord> Order(IEnumerable<SrvRecord> records) =>
        records.Select((r, i) => (Record: r, Index: i)).OrderBy(x => x.Record.Priority).ThenByDescending(x => x.Record.Weight).ThenBy(x => x.Index).Select(x => x.Record).ToArray();

    /// <summary>
    /// A name at <paramref name="offset"/>, following compression pointers (RFC 1035 4.1.4). A pointer must point before
    /// the start of the labels it ends (a name only ever points back to an earlier name), so each jump moves strictly
    /// backwards and a chain always ends: no loop, whatever the server sent. The labels before the first pointer must lie
    /// before <paramref name="end"/> (the message, or one record's data); the rest within the message's
    /// <paramref name="length"/>. Labels are kept as ASCII with any other byte as \DDD, as dig prints them.
    /// </summary>
    public static string ReadName(byte[] message, int length, int end, ref int offset)
    {
        var name = new StringBuilder();
        int position = offset;
        int segmentStart = offset;
        int resumeAt = -1;
        int wireLength = 0;
        while (true)
        {
            int limit = resumeAt < 0 ? end : length;
            if (position >= limit)
            {
                throw new DnsFormatException($"a name runs past the end of its data at offset {position}");
            }

            byte labelLength = message[position];
            if ((labelLength & 0xC0) == 0xC0)
            {
                if (position + 1 >= limit)
                {
                    throw new DnsFormatException($"the compression pointer at offset {position} is cut off");
                }

                int target = ((labelLength & 0x3F) << 8) | message[position + 1];
                if (target >= segmentStart)
                {
                    throw new DnsFormatException($"the compression pointer at offset {position} points to offset {target}, not back before its name: a pointer loop");
                }

                if (resumeAt < 0)
                {
                    resumeAt = position + 2;
                }

                position = target;
                segmentStart = target;
                continue;
            }

            if ((labelLength & 0xC0) != 0)
            {
                throw new DnsFormatException($"the label at offset {position} has the reserved type bits 0x{labelLength & 0xC0:X2}");
            }

            wireLength += labelLength + 1;
            if (wireLength > MaxNameLength)
            {
                throw new DnsFormatException($"a name is longer than {MaxNameLength} bytes");
            }

            if (labelLength == 0)
            {
                offset = resumeAt >= 0 ? resumeAt : position + 1;
                return name.ToString();
            }

            if (position + 1 + labelLength > limit)
            {
                throw new DnsFormatException($"the {labelLength}-byte label at offset {position} runs past the end of its data");
            }

            if (name.Length > 0)
            {
                name.Append('.');
            }

            for (int i = position + 1; i <= position + labelLength; i++)
            {
                byte b = message[i];
                if (b > 0x20 && b < 0x7F && b != (byte)'.' && b != (byte)'\\')
                {
                    name.Append((char)b);
                }
                else
                {
                    name.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
                }
            }

            position += 1 + labelLength;
        }
    }

    internal static ushort ReadUInt16(byte[] data, int offset) => (ushort)((data[offset] << 8) | data[offset + 1]);

    internal static void WriteUInt16(byte[] data, int offset, int value)
    {
        data[offset] = (byte)(value >> 8);
        data[offset + 1] = (byte)value;
    }

    private static uint ReadUInt32(byte[] data, int offset) => ((uint)data[offset] << 24) | ((uint)data[offset + 1] << 16) | ((uint)data[offset + 2] << 8) | data[offset + 3];

    private static void RequireBytes(int length, int offset, int needed, string what)
    {
        if (offset + needed > length)
        {
            throw new DnsFormatException($"{what} is cut off at offset {offset} ({needed} bytes needed, {Math.Max(0, length - offset)} there)");
        }
    }

    private static void RequireEnd(int at, int dataEnd, int index)
    {
        if (at != dataEnd)
        {
            throw new DnsFormatException($"the data of answer record {index + 1} does not end where its RDLENGTH says");
        }
    }

    private static string Printable(string name) => name.Length == 0 ? "." : name;
}
