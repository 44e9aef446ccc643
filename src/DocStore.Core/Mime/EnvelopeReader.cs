using MimeKit;

namespace DocStore.Core.Mime;

/// <summary>Builds the ENVELOPE (RFC 9051 §7.5.2) of a message from its raw header lines.</summary>
internal static class EnvelopeReader
{
    public static Envelope Read(IReadOnlyList<Header> headers)
    {
        string? date = null, subject = null, inReplyTo = null, messageId = null;
        string? from = null, sender = null, replyTo = null, to = null, cc = null, bcc = null;
        foreach (var header in headers)
        {
            switch (header.Field.ToUpperInvariant())
            {
                case "DATE":
                    date ??= HeaderText.Unfold(header.RawValue);
                    break;
                case "SUBJECT":
                    subject ??= HeaderText.ForHumans(HeaderText.Unfold(header.RawValue));
                    break;
                case "IN-REPLY-TO":
                    inReplyTo ??= HeaderText.Unfold(header.RawValue);
                    break;
                case "MESSAGE-ID":
                    messageId ??= HeaderText.Unfold(header.RawValue);
                    break;
                case "FROM":
                    from ??= HeaderText.Unfold(header.RawValue);
                    break;
                case "SENDER":
                    sender ??= HeaderText.Unfold(header.RawValue);
                    break;
                case "REPLY-TO":
                    replyTo ??= HeaderText.Unfold(header.RawValue);
                    break;
                case "TO":
                    to ??= HeaderText.Unfold(header.RawValue);
                    break;
                case "CC":
                    cc ??= HeaderText.Unfold(header.RawValue);
                    break;
                case "BCC":
                    bcc ??= HeaderText.Unfold(header.RawValue);
                    break;
            }
        }

        var fromList = Addresses(from);

        // RFC 9051 §7.5.2: an absent or empty Sender or Reply-To takes the value of From.
        return new Envelope(
            date,
            subject,
            fromList,
            Addresses(sender) ?? fromList,
            Addresses(replyTo) ?? fromList,
            Addresses(to),
            Addresses(cc),
            Addresses(bcc),
            inReplyTo,
            messageId);
    }

    private static IReadOnlyList<EnvelopeAddress>? Addresses(string? value) =>
        value is null ? null : AddressParser.Parse(value);
}
