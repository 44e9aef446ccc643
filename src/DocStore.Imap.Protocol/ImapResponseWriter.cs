using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace DocStore.Imap.Protocol;

/// <summary>
/// Writes IMAP responses (RFC 9051 §7) as bytes into an <see cref="IBufferWriter{T}"/>. It
/// decides, in one place, how each string goes on the wire (atom, quoted string or literal);
/// it never flushes: the caller owns the pipe.
/// </summary>
public sealed class ImapResponseWriter
{
    /// <summary>Longer strings are sent as literals, which need no escaping and no scanning.</summary>
    public const int MaxQuotedLength = 1024;

    private readonly IBufferWriter<byte> output;

    public ImapResponseWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        this.output = output;
    }

    /// <summary>
    /// True once UTF8=ACCEPT or IMAP4rev2 is enabled (RFC 9051 §6.3.1, RFC 6855): UTF-8 may
    /// then appear in quoted strings and mailbox names are no longer modified UTF-7.
    /// </summary>
    public bool Utf8Accept { get; set; }

    public void WriteRaw(ReadOnlySpan<byte> bytes) => output.Write(bytes);

    /// <summary>Writes an ASCII atom verbatim; the caller guarantees its syntax.</summary>
    public void WriteAtom(string atom)
    {
        var span = output.GetSpan(atom.Length);
        for (var i = 0; i < atom.Length; i++)
        {
            var c = atom[i];
            if (c is <= ' ' or >= (char)0x7F)
            {
                throw new ArgumentException($"Not an atom: '{atom}'.", nameof(atom));
            }

            span[i] = (byte)c;
        }

        output.Advance(atom.Length);
    }

    public void WriteNumber(long n)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(n, span, out var written);
        output.Advance(written);
    }

    /// <summary>
    /// Writes a space and the number for each of <paramref name="numbers"/>, formatted straight
    /// into the output a few hundred at a time: a SEARCH answer of 200,000 numbers costs a few
    /// hundred advances of the output instead of 400,000.
    /// </summary>
    public void WriteSpacedNumbers(ReadOnlySpan<uint> numbers)
    {
        // " 4294967295" is 11 bytes; a pooled block of the connection's pipe holds about 4 KiB.
        const int most = 11;
        var i = 0;
        while (i < numbers.Length)
        {
            var span = output.GetSpan(Math.Min(numbers.Length - i, 300) * most);
            var at = 0;
            while (i < numbers.Length && span.Length - at >= most)
            {
                span[at++] = (byte)' ';
                Utf8Formatter.TryFormat(numbers[i++], span[at..], out var written);
                at += written;
            }
            output.Advance(at);
        }
    }

    public void WriteNumber(ulong n)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(n, span, out var written);
        output.Advance(written);
    }

    /// <summary>A date-time as a quoted string (RFC 9051 §9 date-time), e.g. INTERNALDATE's value.</summary>
    public void WriteDateTime(DateTimeOffset value)
    {
        var span = output.GetSpan(ImapDates.DateTimeLength + 2);
        span[0] = (byte)'"';
        ImapDates.FormatDateTime(value, span[1..]);
        span[ImapDates.DateTimeLength + 1] = (byte)'"';
        output.Advance(ImapDates.DateTimeLength + 2);
    }

    public void WriteNil() => output.Write("NIL"u8);

    public void WriteSpace() => WriteByte((byte)' ');

    public void OpenList() => WriteByte((byte)'(');

    public void CloseList() => WriteByte((byte)')');

    public void WriteCrlf() => output.Write("\r\n"u8);

    /// <summary>
    /// Writes <paramref name="value"/> as a quoted string when the grammar allows it, else as a
    /// literal: CR, LF and NUL cannot be quoted (RFC 9051 §4.3, TEXT-CHAR), nor 8-bit text
    /// before UTF8=ACCEPT; long values go as literals to keep lines short.
    /// </summary>
    public void WriteString(string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        if (byteCount > MaxQuotedLength || !CanQuote(value))
        {
            WriteLiteralHeader(byteCount, binary: false);
            output.Advance(Encoding.UTF8.GetBytes(value, output.GetSpan(byteCount)));
        }
        else
        {
            WriteQuoted(value, byteCount);
        }
    }

    /// <summary>RFC 9051 §4.5: nstring, NIL for null.</summary>
    public void WriteNString(string? value)
    {
        if (value is null)
        {
            WriteNil();
        }
        else
        {
            WriteString(value);
        }
    }

    /// <summary>
    /// RFC 9051 §9 astring: an atom when every character is an ASTRING-CHAR, else a string. The
    /// word NIL is quoted so that no client mistakes it for the nil value.
    /// </summary>
    public void WriteAString(string value)
    {
        if (ImapCharacters.IsAstring(value) && !value.Equals("NIL", StringComparison.OrdinalIgnoreCase))
        {
            WriteAtom(value);
        }
        else
        {
            WriteString(value);
        }
    }

    /// <summary>A synchronizing-form literal: <c>{n}</c> CRLF and the bytes.</summary>
    public void WriteLiteral(ReadOnlySpan<byte> data)
    {
        WriteLiteralHeader(data.Length, binary: false);
        output.Write(data);
    }

    /// <summary>RFC 3516 §4.2: literal8, <c>~{n}</c> CRLF and the bytes, which may hold NUL.</summary>
    public void WriteLiteral8(ReadOnlySpan<byte> data)
    {
        WriteLiteralHeader(data.Length, binary: true);
        output.Write(data);
    }

    /// <summary>
    /// A mailbox name (RFC 9051 §5.1): INBOX in any case is written as <c>INBOX</c>; other names
    /// in modified UTF-7 (RFC 3501 §5.1.3) unless UTF-8 was enabled (RFC 6855 §3).
    /// </summary>
    public void WriteMailbox(string name)
    {
        if (MailboxName.IsInbox(name))
        {
            output.Write("INBOX"u8);
            return;
        }

        WriteAString(Utf8Accept ? name : ModifiedUtf7.Encode(name));
    }

    /// <summary>Starts an untagged response: <c>* </c>.</summary>
    public void BeginUntagged() => output.Write("* "u8);

    /// <summary>Writes <c>* </c>, the ASCII text and CRLF, e.g. <c>* CAPABILITY IMAP4rev1</c>.</summary>
    public void WriteUntagged(string text)
    {
        BeginUntagged();
        WriteText(text);
        WriteCrlf();
    }

    /// <summary>Writes <c>* n WORD</c> CRLF, e.g. <c>* 23 EXISTS</c> (RFC 9051 §7.4).</summary>
    public void WriteUntaggedNumber(long n, ReadOnlySpan<byte> word)
    {
        BeginUntagged();
        WriteNumber(n);
        WriteSpace();
        output.Write(word);
        WriteCrlf();
    }

    /// <summary>An untagged status line: <c>* OK [code] text</c>, <c>* BYE text</c>, ...</summary>
    public void WriteUntaggedStatus(ImapStatus status, string? responseCode, string text)
    {
        BeginUntagged();
        WriteStatusRest(status, responseCode, text);
    }

    /// <summary>A tagged completion line: <c>tag OK [code] text</c> CRLF.</summary>
    public void WriteTagged(string tag, ImapStatus status, string? responseCode, string text)
    {
        WriteAtom(tag);
        WriteSpace();
        WriteStatusRest(status, responseCode, text);
    }

    /// <summary>A continuation request: <c>+ text</c> CRLF (RFC 9051 §7.6).</summary>
    public void WriteContinuation(string text)
    {
        output.Write("+ "u8);
        WriteText(text);
        WriteCrlf();
    }

    /// <summary>The continuation for a synchronizing literal (RFC 9051 §4.3).</summary>
    public void WriteLiteralContinuation() => output.Write("+ Ready for literal data\r\n"u8);

    /// <summary>
    /// The BAD answer to a command the parser rejected: tagged when the tag was read, else
    /// untagged (RFC 9051 §7.1.3).
    /// </summary>
    public void WriteParseError(ImapParseError error)
    {
        if (error.Tag is null)
        {
            WriteUntaggedStatus(ImapStatus.Bad, error.ResponseCode, error.Reason);
        }
        else
        {
            WriteTagged(error.Tag, ImapStatus.Bad, error.ResponseCode, error.Reason);
        }
    }

    private bool CanQuote(string value) =>
        !value.AsSpan().ContainsAny('\r', '\n', '\0') && (Utf8Accept || Ascii.IsValid(value));

    private void WriteQuoted(string value, int byteCount)
    {
        var escapes = value.AsSpan().Count('"') + value.AsSpan().Count('\\');
        var span = output.GetSpan(byteCount + escapes + 2);
        var position = 0;
        span[position++] = (byte)'"';
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.Value is '"' or '\\')
            {
                span[position++] = (byte)'\\';
            }

            position += rune.EncodeToUtf8(span[position..]);
        }

        span[position++] = (byte)'"';
        output.Advance(position);
    }

    private void WriteLiteralHeader(long length, bool binary)
    {
        output.Write(binary ? "~{"u8 : "{"u8);
        WriteNumber(length);
        output.Write("}\r\n"u8);
    }

    private void WriteStatusRest(ImapStatus status, string? responseCode, string text)
    {
        output.Write(status switch
        {
            ImapStatus.Ok => "OK"u8,
            ImapStatus.No => "NO"u8,
            ImapStatus.Bad => "BAD"u8,
            ImapStatus.PreAuth => "PREAUTH"u8,
            ImapStatus.Bye => "BYE"u8,
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        });
        if (!string.IsNullOrEmpty(responseCode))
        {
            output.Write(" ["u8);
            WriteText(responseCode);
            WriteByte((byte)']');
        }

        if (text.Length > 0)
        {
            WriteSpace();
            WriteText(text);
        }

        WriteCrlf();
    }

    /// <summary>
    /// Human text (RFC 9051 §9 text = 1*TEXT-CHAR) may carry client input such as a bad command
    /// name: CR, LF and NUL become spaces so no one can inject a response line, and 8-bit
    /// becomes '?' unless UTF-8 is enabled.
    /// </summary>
    private void WriteText(string text)
    {
        var span = output.GetSpan(Utf8Accept ? Encoding.UTF8.GetMaxByteCount(text.Length) : text.Length);
        var position = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is '\r' or '\n' or '\0')
            {
                span[position++] = (byte)' ';
            }
            else if (rune.IsAscii)
            {
                span[position++] = (byte)rune.Value;
            }
            else if (Utf8Accept)
            {
                position += rune.EncodeToUtf8(span[position..]);
            }
            else
            {
                span[position++] = (byte)'?';
            }
        }

        output.Advance(position);
    }

    private void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }
}
