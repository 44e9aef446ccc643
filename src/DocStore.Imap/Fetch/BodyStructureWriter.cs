using DocStore.Core.Mime;
using DocStore.Imap.Protocol;

namespace DocStore.Imap.Fetch;

/// <summary>
/// Writes BODY (the non-extensible form) and BODYSTRUCTURE (with extension data) of RFC 9051
/// §7.5.2 from the stored <see cref="BodyPart"/> tree.
/// </summary>
internal static class BodyStructureWriter
{
    /// <summary>FETCH BODY: no extension data.</summary>
    public static void WriteBody(ImapResponseWriter writer, BodyPart part) => Write(writer, part, extensible: false);

    /// <summary>FETCH BODYSTRUCTURE: with extension data.</summary>
    public static void WriteBodyStructure(ImapResponseWriter writer, BodyPart part) => Write(writer, part, extensible: true);

    private static void Write(ImapResponseWriter writer, BodyPart part, bool extensible)
    {
        writer.OpenList();
        if (part.Parts is { } parts)
        {
            WriteMultipart(writer, part, parts, extensible);
        }
        else
        {
            WriteSinglePart(writer, part, extensible);
        }

        writer.CloseList();
    }

    /// <summary>body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart].</summary>
    private static void WriteMultipart(ImapResponseWriter writer, BodyPart part, IReadOnlyList<BodyPart> parts, bool extensible)
    {
        foreach (var child in parts)
        {
            Write(writer, child, extensible);
        }

        writer.WriteSpace();
        writer.WriteString(part.Subtype);
        if (!extensible)
        {
            return;
        }

        // body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]
        writer.WriteSpace();
        WriteParameters(writer, part.Parameters);
        WriteDispositionLanguageLocation(writer, part);
    }

    /// <summary>body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part].</summary>
    private static void WriteSinglePart(ImapResponseWriter writer, BodyPart part, bool extensible)
    {
        if (part.Message is not null)
        {
            // RFC 9051 §9 media-message: the type is written in the grammar's spelling.
            writer.WriteString(part.Type.ToLowerInvariant());
            writer.WriteSpace();
            writer.WriteString(part.Subtype.ToLowerInvariant());
        }
        else
        {
            writer.WriteString(part.Type);
            writer.WriteSpace();
            writer.WriteString(part.Subtype);
        }

        writer.WriteSpace();
        WriteParameters(writer, part.Parameters);
        writer.WriteSpace();
        writer.WriteNString(part.Id);
        writer.WriteSpace();
        writer.WriteNString(part.Description);
        writer.WriteSpace();
        writer.WriteString(part.Encoding ?? "7bit");
        writer.WriteSpace();
        writer.WriteNumber(part.Size);
        if (part.Message is { } message)
        {
            // body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines
            writer.WriteSpace();
            EnvelopeWriter.Write(writer, message.Envelope);
            writer.WriteSpace();
            Write(writer, message.Body, extensible);
            writer.WriteSpace();
            writer.WriteNumber(part.Lines);
        }
        else if (part.IsText)
        {
            writer.WriteSpace();
            writer.WriteNumber(part.Lines);
        }

        if (!extensible)
        {
            return;
        }

        // body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]
        writer.WriteSpace();
        writer.WriteNString(part.Md5);
        WriteDispositionLanguageLocation(writer, part);
    }

    private static void WriteDispositionLanguageLocation(ImapResponseWriter writer, BodyPart part)
    {
        writer.WriteSpace();
        if (part.Disposition is { } disposition)
        {
            writer.OpenList();
            writer.WriteString(disposition.Type);
            writer.WriteSpace();
            WriteParameters(writer, disposition.Parameters);
            writer.CloseList();
        }
        else
        {
            writer.WriteNil();
        }

        writer.WriteSpace();
        WriteLanguage(writer, part.Language);
        writer.WriteSpace();
        writer.WriteNString(part.Location);
    }

    /// <summary>body-fld-param = "(" string SP string *(SP string SP string) ")" / nil.</summary>
    private static void WriteParameters(ImapResponseWriter writer, IReadOnlyList<MimeParameter> parameters)
    {
        if (parameters.Count == 0)
        {
            writer.WriteNil();
            return;
        }

        writer.OpenList();
        for (var i = 0; i < parameters.Count; i++)
        {
            if (i > 0)
            {
                writer.WriteSpace();
            }

            writer.WriteString(parameters[i].Name);
            writer.WriteSpace();
            writer.WriteString(parameters[i].Value);
        }

        writer.CloseList();
    }

    /// <summary>body-fld-lang = nstring / "(" string *(SP string) ")".</summary>
    private static void WriteLanguage(ImapResponseWriter writer, IReadOnlyList<string>? language)
    {
        if (language is null || language.Count == 0)
        {
            writer.WriteNil();
            return;
        }

        writer.OpenList();
        for (var i = 0; i < language.Count; i++)
        {
            if (i > 0)
            {
                writer.WriteSpace();
            }

            writer.WriteString(language[i]);
        }

        writer.CloseList();
    }
}
