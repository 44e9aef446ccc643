using System.Buffers;
using System.Text;
using DocStore.Imap.Protocol;

namespace DocStore.Imap.Protocol.Tests;

public sealed class ImapResponseWriterTests
{
    private readonly ArrayBufferWriter<byte> buffer = new();

    private string Written => Encoding.UTF8.GetString(buffer.WrittenSpan);

    private ImapResponseWriter Writer(bool utf8 = false) => new(buffer) { Utf8Accept = utf8 };

    [Theory]
    [InlineData(1994, 2, 1, 21, 52, 25, -330)]
    [InlineData(2024, 12, 31, 0, 0, 0, 0)]
    [InlineData(1, 1, 9, 9, 9, 9, 840)]
    [InlineData(9999, 7, 15, 23, 59, 59, -720)]
    [InlineData(2025, 10, 5, 8, 30, 0, 345)]
    public void Date_times_are_written_as_the_quoted_string_of_the_formatter(int year, int month, int day, int hour, int minute, int second, int offsetMinutes)
    {
        var value = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.FromMinutes(offsetMinutes));
        Writer().WriteDateTime(value);
        Assert.Equal("\"" + ImapDates.FormatDateTime(value) + "\"", Written);
        Assert.Equal(ImapDates.DateTimeLength + 2, buffer.WrittenCount);
    }

    [Theory]
    [InlineData("hello", "\"hello\"")]
    [InlineData("", "\"\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("C:\\temp", "\"C:\\\\temp\"")]
    [InlineData("tab\there", "\"tab\there\"")]
    [InlineData("line\r\nbreak", "{11}\r\nline\r\nbreak")]
    [InlineData("lf\nonly", "{7}\r\nlf\nonly")]
    [InlineData("nul\0byte", "{8}\r\nnul\0byte")]
    [InlineData("Grüße", "{7}\r\nGrüße")]
    public void Strings_are_quoted_with_escapes_or_sent_as_literals(string value, string expected)
    {
        Writer().WriteString(value);
        Assert.Equal(expected, Written);
    }

    [Fact]
    public void Eight_bit_strings_are_quoted_once_utf8_is_accepted()
    {
        Writer(utf8: true).WriteString("Grüße \"ü\"");
        Assert.Equal("\"Grüße \\\"ü\\\"\"", Written);
    }

    [Fact]
    public void A_string_longer_than_the_quoted_limit_is_a_literal_and_one_at_the_limit_is_quoted()
    {
        var atLimit = new string('a', ImapResponseWriter.MaxQuotedLength);
        Writer().WriteString(atLimit);
        Assert.Equal("\"" + atLimit + "\"", Written);

        buffer.Clear();
        Writer().WriteString(atLimit + "a");
        Assert.Equal("{1025}\r\n" + atLimit + "a", Written);
    }

    [Theory]
    [InlineData(null, "NIL")]
    [InlineData("NIL", "\"NIL\"")]
    [InlineData("x", "\"x\"")]
    public void Nstrings_write_nil_for_null(string? value, string expected)
    {
        Writer().WriteNString(value);
        Assert.Equal(expected, Written);
    }

    [Theory]
    [InlineData("Sent", "Sent")]
    [InlineData("a]b", "a]b")]
    [InlineData("", "\"\"")]
    [InlineData("two words", "\"two words\"")]
    [InlineData("pct%", "\"pct%\"")]
    [InlineData("star*", "\"star*\"")]
    [InlineData("paren(", "\"paren(\"")]
    [InlineData("nil", "\"nil\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    public void Astrings_are_atoms_only_when_every_character_allows_it(string value, string expected)
    {
        Writer().WriteAString(value);
        Assert.Equal(expected, Written);
    }

    [Theory]
    [InlineData("inbox", false, "INBOX")]
    [InlineData("InBoX", true, "INBOX")]
    [InlineData("Shared/Projects", false, "Shared/Projects")]
    [InlineData("Entwürfe", false, "Entw&APw-rfe")]
    [InlineData("Entwürfe", true, "\"Entwürfe\"")]
    [InlineData("R&D", false, "R&-D")]
    [InlineData("台北", false, "&U,BTFw-")]
    [InlineData("My Docs", false, "\"My Docs\"")]
    public void Mailbox_names_are_modified_utf7_until_utf8_is_enabled(string name, bool utf8, string expected)
    {
        Writer(utf8).WriteMailbox(name);
        Assert.Equal(expected, Written);
    }

    [Fact]
    public void Literals_and_literal8_carry_their_bytes_verbatim()
    {
        var writer = Writer();
        writer.WriteLiteral("a\r\nb"u8);
        writer.WriteSpace();
        writer.WriteLiteral8([0, 1, 2]);
        Assert.Equal("{4}\r\na\r\nb ~{3}\r\n\0\u0001\u0002", Written);
    }

    [Fact]
    public void A_fetch_response_is_built_from_the_primitives()
    {
        var writer = Writer();
        writer.BeginUntagged();
        writer.WriteNumber(12L);
        writer.WriteRaw(" FETCH "u8);
        writer.OpenList();
        writer.WriteAtom("UID");
        writer.WriteSpace();
        writer.WriteNumber(ulong.MaxValue);
        writer.WriteSpace();
        writer.WriteAtom("FLAGS");
        writer.WriteSpace();
        writer.OpenList();
        writer.WriteAtom("\\Seen");
        writer.CloseList();
        writer.WriteSpace();
        writer.WriteNil();
        writer.CloseList();
        writer.WriteCrlf();
        Assert.Equal("* 12 FETCH (UID 18446744073709551615 FLAGS (\\Seen) NIL)\r\n", Written);
    }

    [Fact]
    public void Status_lines_have_tag_status_code_and_text()
    {
        var writer = Writer();
        writer.WriteTagged("a1", ImapStatus.Ok, "APPENDUID 38505 3955", "APPEND completed");
        writer.WriteTagged("a2", ImapStatus.No, null, "Mailbox does not exist");
        writer.WriteUntaggedStatus(ImapStatus.Bye, null, "Logging out");
        writer.WriteUntaggedStatus(ImapStatus.Ok, "UIDVALIDITY 3857529045", "");
        writer.WriteUntagged("CAPABILITY IMAP4rev1 IDLE");
        writer.WriteUntaggedNumber(23, "EXISTS"u8);
        writer.WriteContinuation("Waiting");
        writer.WriteLiteralContinuation();
        Assert.Equal(
            "a1 OK [APPENDUID 38505 3955] APPEND completed\r\n" +
            "a2 NO Mailbox does not exist\r\n" +
            "* BYE Logging out\r\n" +
            "* OK [UIDVALIDITY 3857529045]\r\n" +
            "* CAPABILITY IMAP4rev1 IDLE\r\n" +
            "* 23 EXISTS\r\n" +
            "+ Waiting\r\n" +
            "+ Ready for literal data\r\n",
            Written);
    }

    [Fact]
    public void Human_text_cannot_inject_a_response_line()
    {
        Writer().WriteTagged("a1", ImapStatus.Bad, null, "Unknown command X\r\n* OK fake ü");
        Assert.Equal("a1 BAD Unknown command X  * OK fake ?\r\n", Written);
    }

    [Fact]
    public void Parse_errors_become_tagged_or_untagged_bad()
    {
        var writer = Writer();
        writer.WriteParseError(new ImapParseError("a1", "Missing ')'", null, false));
        writer.WriteParseError(new ImapParseError(null, "Invalid tag", null, false));
        writer.WriteParseError(new ImapParseError("a2", "Literal too large", "TOOBIG", false));
        Assert.Equal("a1 BAD Missing ')'\r\n* BAD Invalid tag\r\na2 BAD [TOOBIG] Literal too large\r\n", Written);
    }

    [Fact]
    public void Numbers_cover_the_whole_range()
    {
        var writer = Writer();
        writer.WriteNumber(0L);
        writer.WriteSpace();
        writer.WriteNumber(long.MaxValue);
        Assert.Equal("0 9223372036854775807", Written);
    }

    [Fact]
    public void An_atom_with_a_space_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => Writer().WriteAtom("two words"));
    }

    [Fact]
    public void Many_numbers_are_written_each_after_a_space_across_output_blocks()
    {
        var numbers = Enumerable.Range(0, 5000).Select(i => (uint)i * 997).Append(uint.MaxValue).ToArray();
        Writer().WriteSpacedNumbers(numbers);
        Writer().WriteSpacedNumbers([]);
        Assert.Equal(string.Concat(numbers.Select(n => " " + n.ToString(System.Globalization.CultureInfo.InvariantCulture))), Written);
    }
}
