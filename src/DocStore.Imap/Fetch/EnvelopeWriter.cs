using DocStore.Core.Mime;
using DocStore.Imap.Protocol;

namespace DocStore.Imap.Fetch;

/// <summary>Writes an ENVELOPE (RFC 9051 §7.5.2) from the stored <see cref="Envelope"/>.</summary>
internal static class EnvelopeWriter
{
    public static void Write(ImapResponseWriter writer, Envelope envelope)
    {
        writer.OpenList();
        writer.WriteNString(envelope.Date);
        writer.WriteSpace();
        writer.WriteNString(envelope.Subject);
        foreach (var list in (IReadOnlyList<EnvelopeAddress>?[])[envelope.From, envelope.Sender, envelope.ReplyTo, envelope.To, envelope.Cc, envelope.Bcc])
        {
            writer.WriteSpace();
            WriteAddresses(writer, list);
        }

        writer.WriteSpace();
        writer.WriteNString(envelope.InReplyTo);
        writer.WriteSpace();
        writer.WriteNString(envelope.MessageId);
        writer.CloseList();
    }

    private static void WriteAddresses(ImapResponseWriter writer, IReadOnlyList<EnvelopeAddress>? addresses)
    {
        if (addresses is null || addresses.Count == 0)
        {
            writer.WriteNil();
            return;
        }

        writer.OpenList();
        foreach (var address in addresses)
        {
            writer.OpenList();
            writer.WriteNString(address.Name);
            writer.WriteSpace();
            writer.WriteNString(address.Route);
            writer.WriteSpace();
            writer.WriteNString(address.Mailbox);
            writer.WriteSpace();
            writer.WriteNString(address.Host);
            writer.CloseList();
        }

        writer.CloseList();
    }
}
