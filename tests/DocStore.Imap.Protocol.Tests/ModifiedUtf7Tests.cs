using System.Text;

namespace DocStore.Imap.Protocol.Tests;

public sealed class ModifiedUtf7Tests
{
    [Theory]
    [InlineData("INBOX", "INBOX")]
    [InlineData("R&D", "R&-D")]
    [InlineData("&", "&-")]
    [InlineData("Entwürfe", "Entw&APw-rfe")]
    [InlineData("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-")]
    [InlineData("Grüße & Küsse", "Gr&APwA3w-e &- K&APw-sse")]
    [InlineData("😀", "&2D3eAA-")]
    [InlineData("", "")]
    public void Names_round_trip_through_the_rfc_3501_examples(string name, string encoded)
    {
        Assert.Equal(encoded, ModifiedUtf7.Encode(name));
        Assert.True(ModifiedUtf7.TryDecode(encoded, out var decoded, out var error), error);
        Assert.Equal(name, decoded);
    }

    [Theory]
    [InlineData("Entw&APw-rfe&")]
    [InlineData("&APw")]
    [InlineData("&AGE-")]
    [InlineData("&APw-&APw-")]
    [InlineData("&APx-")]
    [InlineData("&A-")]
    [InlineData("&2D0-")]
    [InlineData("&AP/w-")]
    [InlineData("&APw=-")]
    [InlineData("Entwürfe")]
    [InlineData("tab\there")]
    public void Non_canonical_or_broken_encodings_are_refused(string encoded)
    {
        Assert.False(ModifiedUtf7.TryDecode(encoded, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Every_bmp_character_round_trips()
    {
        var builder = new StringBuilder();
        for (var c = 1; c < 0xD800; c += 7)
        {
            builder.Append((char)c);
        }

        var name = builder.ToString();
        Assert.True(ModifiedUtf7.TryDecode(ModifiedUtf7.Encode(name), out var decoded, out _));
        Assert.Equal(name, decoded);
    }

    [Theory]
    [InlineData("inbox", false, "INBOX")]
    [InlineData("Entw&APw-rfe", false, "Entwürfe")]
    [InlineData("Entw&APw-rfe", true, "Entw&APw-rfe")]
    [InlineData("Entwürfe", true, "Entwürfe")]
    public void Mailbox_arguments_decode_by_mode(string wire, bool utf8, string expected)
    {
        Assert.True(MailboxName.TryDecode(Encoding.UTF8.GetBytes(wire), utf8, out var name, out var error), error);
        Assert.Equal(expected, name);
    }

    [Theory]
    [InlineData("Entwürfe", false)]
    [InlineData("a&AAE-b", false)]
    [InlineData("a\u007fb", true)]
    public void Mailbox_arguments_refuse_8_bit_before_utf8_and_control_characters(string wire, bool utf8)
    {
        Assert.False(MailboxName.TryDecode(Encoding.UTF8.GetBytes(wire), utf8, out _, out _));
    }

    [Fact]
    public void Mailbox_arguments_refuse_invalid_utf8()
    {
        Assert.False(MailboxName.TryDecode([0x61, 0xC3], utf8Accept: true, out _, out _));
    }
}
