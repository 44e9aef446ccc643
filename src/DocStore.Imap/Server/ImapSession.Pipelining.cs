using System.Buffers;
using System.Text;
using DocStore.Imap.Commands;
using DocStore.Imap.Protocol;

namespace DocStore.Imap.Server;

/// <summary>Reading pipelined STOREs ahead (RFC 9051 §5.5), so that they can share one transaction.</summary>
public sealed partial class ImapSession
{
    /// <summary>Lines longer than this are not read ahead; the usual loop parses them.</summary>
    private const int MaxReadAheadLine = 4096;

    /// <summary>
    /// After a STORE in the selected state: the STOREs the client has already sent behind it,
    /// parsed from what is buffered without waiting for more, with <paramref name="first"/> at
    /// their head. Only whole lines that are STOREs without a literal are taken, so no literal
    /// continuation or streamed literal can come up in between; a line that does not parse is kept
    /// as its parse error, to be answered in its place (<see cref="StoreBatch"/>). Null when no
    /// such line follows: the command then runs alone, as any other.
    /// </summary>
    private List<PipelinedCommand>? ReadAheadStores(ImapCommand first)
    {
        if (State != SessionState.Selected || first.Name is not ("STORE" or "UID STORE") || !Connection.Input.TryRead(out var read))
        {
            return null;
        }
        var reader = new SequenceReader<byte>(read.Buffer);
        List<PipelinedCommand>? commands = null;
        var examined = reader.Position;
        while ((commands?.Count ?? 1) < StoreBatch.MaxCommands && IsStoreLine(reader, Math.Min(parser.Limits.MaxLineLength, MaxReadAheadLine)))
        {
            var result = parser.Parse(ref reader);
            if (result.Status == ImapParseStatus.NeedMoreData)
            {
                // Not a line end the parser accepts: it keeps what it read and the usual loop goes on.
                examined = read.Buffer.End;
                break;
            }
            commands ??= [new PipelinedCommand(first, null)];
            commands.Add(result.Status switch
            {
                ImapParseStatus.Complete => new PipelinedCommand(result.Command, null),
                ImapParseStatus.Error => new PipelinedCommand(null, result.Error),
                // A whole line without "{" holds no literal.
                _ => throw new InvalidOperationException($"A read-ahead STORE line parsed as {result.Status}."),
            });
            examined = reader.Position;
        }
        Connection.Input.AdvanceTo(reader.Position, examined);
        return commands;
    }

    /// <summary>True when the reader stands at a whole line <c>tag [UID] STORE ...</c> without a literal.</summary>
    private static bool IsStoreLine(SequenceReader<byte> reader, int maxLength)
    {
        if (!reader.TryReadTo(out ReadOnlySequence<byte> sequence, (byte)'\n') || sequence.Length > maxLength)
        {
            return false;
        }
        Span<byte> line = stackalloc byte[(int)sequence.Length];
        sequence.CopyTo(line);
        if (line.IndexOf((byte)'{') >= 0)
        {
            return false;
        }
        var space = line.IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }
        var rest = line[(space + 1)..];
        if (rest.Length >= 4 && Ascii.EqualsIgnoreCase(rest[..4], "UID "u8))
        {
            rest = rest[4..];
        }
        return rest.Length >= 6 && Ascii.EqualsIgnoreCase(rest[..6], "STORE "u8);
    }
}
