using System.Buffers;
using System.Text;
using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Protocol.Tests.Commands;

public sealed class FetchCommandTests
{
    [Theory]
    [InlineData("a FETCH 1:* FLAGS\r\n", "1:*", "FLAGS")]
    [InlineData("a FETCH 2 all\r\n", "2", "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE")]
    [InlineData("a FETCH 2 FAST\r\n", "2", "FLAGS INTERNALDATE RFC822.SIZE")]
    [InlineData("a FETCH 2 Full\r\n", "2", "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY")]
    [InlineData("a FETCH $ (flags internaldate rfc822.size envelope body bodystructure uid)\r\n", "$", "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE UID")]
    [InlineData("a FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT)\r\n", "1", "RFC822 RFC822.HEADER RFC822.TEXT")]
    [InlineData("a FETCH 1 (MODSEQ EMAILID THREADID SAVEDATE PREVIEW)\r\n", "1", "MODSEQ EMAILID THREADID SAVEDATE PREVIEW")]
    [InlineData("a FETCH 1 (PREVIEW (LAZY) FLAGS)\r\n", "1", "PREVIEW (LAZY) FLAGS")]
    [InlineData("a FETCH 1 PREVIEW (lazy)\r\n", "1", "PREVIEW (LAZY)")]
    [InlineData("a FETCH 1 BODY[]\r\n", "1", "BODY[]")]
    [InlineData("a FETCH 1 body.peek[]<0.1024>\r\n", "1", "BODY.PEEK[]<0.1024>")]
    [InlineData("a FETCH 1 (BODY[header] BODY[Text] BODY[1] BODY[1.2.3] BODY[2.MIME] BODY[3.HEADER] BODY[3.TEXT])\r\n", "1", "BODY[HEADER] BODY[TEXT] BODY[1] BODY[1.2.3] BODY[2.MIME] BODY[3.HEADER] BODY[3.TEXT]")]
    [InlineData("a FETCH 1 BODY.PEEK[HEADER.FIELDS (Subject \"From\" x-Custom)]\r\n", "1", "BODY.PEEK[HEADER.FIELDS (Subject From x-Custom)]")]
    [InlineData("a FETCH 1 BODY[1.HEADER.FIELDS.NOT (To)]<10.5>\r\n", "1", "BODY[1.HEADER.FIELDS.NOT (To)]<10.5>")]
    [InlineData("a FETCH 1 (BINARY[] BINARY.PEEK[1.2]<0.9223372036854775807> BINARY.SIZE[3])\r\n", "1", "BINARY[] BINARY.PEEK[1.2]<0.9223372036854775807> BINARY.SIZE[3]")]
    [InlineData("a FETCH 1 BODY[4294967295]<9223372036854775807.1>\r\n", "1", "BODY[4294967295]<9223372036854775807.1>")]
    public void Fetch_reads_the_items_in_order(string wire, string set, string items)
    {
        Assert.True(FetchCommand.TryParse(ParserHarness.ParseOne(wire), out var fetch, out var error), error);
        Assert.Equal((false, set, items), (fetch.Uid, fetch.Set.ToString(), string.Join(' ', fetch.Items)));
        Assert.Equal((null, false), (fetch.ChangedSince, fetch.Vanished));
    }

    [Fact]
    public void A_section_is_typed_part_path_text_and_field_names()
    {
        Assert.True(FetchCommand.TryParse(ParserHarness.ParseOne("a FETCH 1 BODY.PEEK[2.1.HEADER.FIELDS (SUBJECT Date)]<5.10>\r\n"), out var fetch, out _));
        var item = Assert.Single(fetch.Items);
        Assert.Equal((FetchItemKind.BodySection, true, false), (item.Kind, item.Peek, item.SetsSeen));
        Assert.Equal([2u, 1u], item.Section!.Part);
        Assert.Equal(FetchSectionText.HeaderFields, item.Section.Text);
        Assert.Equal(["SUBJECT", "Date"], item.Section.HeaderFields);
        Assert.Equal(new FetchPartial(5, 10), item.Partial);
        Assert.True(item.Section.IncludesHeaderField("subject"));
        Assert.False(item.Section.IncludesHeaderField("From"));
    }

    [Fact]
    public void Header_fields_not_excludes_the_named_fields_in_any_case()
    {
        Assert.True(FetchCommand.TryParse(ParserHarness.ParseOne("a FETCH 1 BODY[HEADER.FIELDS.NOT (Received)]\r\n"), out var fetch, out _));
        var section = fetch.Items[0].Section!;
        Assert.Equal((false, true), (section.IncludesHeaderField("RECEIVED"), section.IncludesHeaderField("Subject")));
    }

    [Theory]
    [InlineData("a FETCH 1 BODY[]\r\n", true)]
    [InlineData("a FETCH 1 BINARY[1]\r\n", true)]
    [InlineData("a FETCH 1 RFC822\r\n", true)]
    [InlineData("a FETCH 1 RFC822.TEXT\r\n", true)]
    [InlineData("a FETCH 1 (FLAGS BODY.PEEK[] BINARY.PEEK[1] BINARY.SIZE[1] RFC822.HEADER RFC822.SIZE)\r\n", false)]
    public void Only_non_peek_body_items_set_seen(string wire, bool setsSeen)
    {
        Assert.True(FetchCommand.TryParse(ParserHarness.ParseOne(wire), out var fetch, out _));
        Assert.Equal(setsSeen, fetch.SetsSeen);
    }

    [Theory]
    [InlineData("a UID FETCH 1:* (FLAGS)\r\n", "UID FLAGS", null, false)]
    [InlineData("a UID FETCH 1:* (FLAGS UID)\r\n", "FLAGS UID", null, false)]
    [InlineData("a FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n", "MODSEQ FLAGS", 12345ul, false)]
    [InlineData("a UID FETCH 1:* FLAGS (changedsince 1 vanished)\r\n", "UID MODSEQ FLAGS", 1ul, true)]
    [InlineData("a UID FETCH 1:* (FLAGS MODSEQ) (VANISHED CHANGEDSINCE 9223372036854775807)\r\n", "UID FLAGS MODSEQ", 9223372036854775807ul, true)]
    public void Uid_fetch_and_changedsince_add_the_items_the_response_must_carry(string wire, string items, ulong? changedSince, bool vanished)
    {
        Assert.True(FetchCommand.TryParse(ParserHarness.ParseOne(wire), out var fetch, out var error), error);
        Assert.Equal((items, changedSince, vanished), (string.Join(' ', fetch.Items), fetch.ChangedSince, fetch.Vanished));
    }

    [Theory]
    [InlineData("a FETCH 1\r\n", "Expected a FETCH item")]
    [InlineData("a FETCH FLAGS\r\n", "Expected FETCH sequence-set items")]
    [InlineData("a FETCH 0 FLAGS\r\n", "Expected FETCH sequence-set items")]
    [InlineData("a FETCH 1 ()\r\n", "Empty FETCH item list")]
    [InlineData("a FETCH 1 (ALL)\r\n", "Unknown FETCH item ALL")]
    [InlineData("a FETCH 1 (FLAGS FAST)\r\n", "Unknown FETCH item FAST")]
    [InlineData("a FETCH 1 FOO\r\n", "Unknown FETCH item FOO")]
    [InlineData("a FETCH 1 (\"FLAGS\")\r\n", "Expected a FETCH item")]
    [InlineData("a FETCH 1 FLAGS ENVELOPE\r\n", "Unexpected argument after the FETCH items")]
    [InlineData("a FETCH 1 RFC822[]\r\n", "Only BODY, BODY.PEEK, BINARY, BINARY.PEEK and BINARY.SIZE take a section")]
    [InlineData("a FETCH 1 [HEADER]\r\n", "Only BODY, BODY.PEEK, BINARY, BINARY.PEEK and BINARY.SIZE take a section")]
    [InlineData("a FETCH 1 BODY[MIME]\r\n", "Unknown section; expected HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or part.MIME")]
    [InlineData("a FETCH 1 BODY[1.FOO]\r\n", "Unknown section; expected HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or part.MIME")]
    [InlineData("a FETCH 1 BODY[1.]\r\n", "Unknown section; expected HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or part.MIME")]
    [InlineData("a FETCH 1 BODY[TEXT.1]\r\n", "Unknown section; expected HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or part.MIME")]
    [InlineData("a FETCH 1 BODY[0]\r\n", "Section part numbers are 1 to 4294967295")]
    [InlineData("a FETCH 1 BODY[01]\r\n", "Section part numbers are 1 to 4294967295")]
    [InlineData("a FETCH 1 BODY[4294967296]\r\n", "Section part numbers are 1 to 4294967295")]
    [InlineData("a FETCH 1 BODY[\"HEADER\"]\r\n", "Invalid section")]
    [InlineData("a FETCH 1 BODY[HEADER.FIELDS]\r\n", "HEADER.FIELDS takes one list of field names")]
    [InlineData("a FETCH 1 BODY[HEADER.FIELDS ()]\r\n", "HEADER.FIELDS takes a non-empty list of field names")]
    [InlineData("a FETCH 1 BODY[HEADER.FIELDS (\"a:b\")]\r\n", "Invalid header field name")]
    [InlineData("a FETCH 1 BODY[HEADER.FIELDS (\"a b\")]\r\n", "Invalid header field name")]
    [InlineData("a FETCH 1 BODY[HEADER (Subject)]\r\n", "Unexpected argument in section")]
    [InlineData("a FETCH 1 BINARY[HEADER]\r\n", "A BINARY section is a part number only")]
    [InlineData("a FETCH 1 BINARY.PEEK[1.MIME]\r\n", "A BINARY section is a part number only")]
    [InlineData("a FETCH 1 BINARY.SIZE[1]<0.10>\r\n", "BINARY.SIZE takes no partial")]
    [InlineData("a FETCH 1 BODY[]<0.0>\r\n", "Invalid partial; expected <origin.length> with a length of at least 1")]
    [InlineData("a FETCH 1 BODY[]<5>\r\n", "Invalid partial; expected <origin.length> with a length of at least 1")]
    [InlineData("a FETCH 1 BODY[]<x.5>\r\n", "Invalid partial; expected <origin.length> with a length of at least 1")]
    [InlineData("a FETCH 1 BODY[]<0.9223372036854775808>\r\n", "Invalid partial; expected <origin.length> with a length of at least 1")]
    [InlineData("a FETCH 1 BODY[]<0.05>\r\n", "Invalid partial; expected <origin.length> with a length of at least 1")]
    [InlineData("a FETCH 1 PREVIEW (LAZY FOO)\r\n", "PREVIEW takes only the LAZY modifier")]
    [InlineData("a FETCH 1 FLAGS ()\r\n", "Empty FETCH modifier list")]
    [InlineData("a FETCH 1 FLAGS (FOO)\r\n", "Unknown or repeated FETCH modifier")]
    [InlineData("a FETCH 1 FLAGS (CHANGEDSINCE 1 CHANGEDSINCE 2)\r\n", "Unknown or repeated FETCH modifier")]
    [InlineData("a FETCH 1 FLAGS (CHANGEDSINCE 0)\r\n", "CHANGEDSINCE takes a mod-sequence from 1 to 2^63-1")]
    [InlineData("a FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)\r\n", "CHANGEDSINCE takes a mod-sequence from 1 to 2^63-1")]
    [InlineData("a FETCH 1 FLAGS (CHANGEDSINCE 5 VANISHED)\r\n", "VANISHED is only allowed in UID FETCH")]
    [InlineData("a UID FETCH 1 FLAGS (VANISHED)\r\n", "VANISHED requires CHANGEDSINCE")]
    [InlineData("a FETCH 1 FLAGS (CHANGEDSINCE 5) (CHANGEDSINCE 5)\r\n", "Unexpected argument after the FETCH items")]
    public void Fetch_refuses_malformed_input_with_a_reason(string wire, string reason)
    {
        Assert.False(FetchCommand.TryParse(ParserHarness.ParseOne(wire), out _, out var error));
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData("a FETCH 1 body.peek[header.fields (subject X-Mailer)]<0.100>\r\n", "BODY[HEADER.FIELDS (subject X-Mailer)]<0>")]
    [InlineData("a FETCH 1 BODY[1.2.mime]\r\n", "BODY[1.2.MIME]")]
    [InlineData("a FETCH 1 BODY[]<100.5>\r\n", "BODY[]<100>")]
    [InlineData("a FETCH 1 BINARY.PEEK[1]<7.3>\r\n", "BINARY[1]<7>")]
    [InlineData("a FETCH 1 BINARY.SIZE[2.1]\r\n", "BINARY.SIZE[2.1]")]
    [InlineData("a FETCH 1 rfc822.header\r\n", "RFC822.HEADER")]
    [InlineData("a FETCH 1 PREVIEW (LAZY)\r\n", "PREVIEW")]
    [InlineData("a FETCH 1 BODY[HEADER.FIELDS (\"nil\")]\r\n", "BODY[HEADER.FIELDS (\"nil\")]")]
    public void The_response_name_drops_peek_echoes_the_fields_and_keeps_only_the_origin(string wire, string expected)
    {
        Assert.True(FetchCommand.TryParse(ParserHarness.ParseOne(wire), out var fetch, out var error), error);
        var buffer = new ArrayBufferWriter<byte>();
        fetch.Items[0].WriteResponseName(new ImapResponseWriter(buffer));
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer.WrittenSpan));
    }
}
