using System.Runtime.InteropServices;
using System.Text;

namespace DocStore.Imap.Protocol;

/// <summary>The grammar half of the parser: tag, command name and the argument tree.</summary>
public sealed partial class ImapCommandParser
{
    private readonly List<byte> token = [];
    private readonly List<Frame> frames = [];
    private List<ImapArgument> arguments = [];
    private Expect expect;
    private string? tag;
    private string? commandName;
    private bool fetchMode;
    private bool sectionJustClosed;
    private bool streamPending;
    private int literalDigits;
    private int lineLength;
    private long inMemoryLiteralBytes;

    private enum Expect
    {
        Tag,
        SpaceAfterTag,
        CommandName,
        SpaceAfterUid,
        UidCommandName,

        /// <summary>After a complete element: SP, a closer, or the end of the line.</summary>
        Separator,

        /// <summary>After SP: an element must follow.</summary>
        Argument,

        /// <summary>After "(" or "[": an element or the closer.</summary>
        ArgumentOrClose,
    }

    private bool InSection => frames.Count > 0 && frames[^1].Atom is not null;

    private ImapParseResult? OnAtom(string text)
    {
        switch (expect)
        {
            case Expect.Tag:
                if (!IsValidTag(text))
                {
                    return Fail("Invalid tag");
                }

                tag = text;
                expect = Expect.SpaceAfterTag;
                return null;
            case Expect.CommandName or Expect.UidCommandName:
                if (!IsValidCommandName(text))
                {
                    return Fail("Invalid command name");
                }

                var name = text.ToUpperInvariant();
                if (expect == Expect.CommandName && string.Equals(name, "UID", StringComparison.Ordinal))
                {
                    expect = Expect.SpaceAfterUid;
                    return null;
                }

                commandName = expect == Expect.UidCommandName ? "UID " + name : name;
                fetchMode = commandName is "FETCH" or "UID FETCH";
                expect = Expect.Separator;
                return null;
            case Expect.Argument or Expect.ArgumentOrClose:
                AddArgument(ImapArgument.CreateAtom(text));
                return null;
            case Expect.Separator when sectionJustClosed && text.Length > 2 && text[0] == '<' && text[^1] == '>':
                // RFC 9051 §6.4.5: the partial follows the section's "]" without a space.
                var section = CurrentItems[^1];
                CurrentItems[^1] = section.WithPartial(text[1..^1]);
                sectionJustClosed = false;
                return null;
            default:
                return Fail(expect == Expect.SpaceAfterTag || expect == Expect.SpaceAfterUid ? "Invalid tag or command name" : "Missing space between arguments");
        }
    }

    private ImapParseResult? OnQuoted(byte[] bytes)
    {
        if (expect is not (Expect.Argument or Expect.ArgumentOrClose))
        {
            return Fail(expect == Expect.Tag ? "Invalid tag" : "Unexpected quoted string");
        }

        AddArgument(ImapArgument.CreateQuoted(bytes));
        return null;
    }

    private ImapParseResult? OnSpace()
    {
        switch (expect)
        {
            case Expect.SpaceAfterTag:
                expect = Expect.CommandName;
                return null;
            case Expect.SpaceAfterUid:
                expect = Expect.UidCommandName;
                return null;
            case Expect.Separator:
                sectionJustClosed = false;
                expect = Expect.Argument;
                return null;
            default:
                return Fail(expect == Expect.Tag ? "Missing tag" : "Unexpected space");
        }
    }

    private ImapParseResult? OnOpenList() => Open(atom: null);

    private ImapParseResult? OnSectionOpen(string atom) =>
        frames.Exists(f => f.Atom is not null) ? Fail("Nested section") : Open(atom);

    private ImapParseResult? Open(string? atom)
    {
        if (expect is not (Expect.Argument or Expect.ArgumentOrClose))
        {
            return Fail(expect == Expect.Tag ? "Missing tag" : atom is null ? "Unexpected '('" : "Unexpected '['");
        }

        if (frames.Count >= Limits.MaxNestingDepth)
        {
            return Fail("Too many nested lists");
        }

        frames.Add(new Frame(atom));
        expect = Expect.ArgumentOrClose;
        return null;
    }

    private ImapParseResult? OnCloseList() => Close(section: false);

    private ImapParseResult? OnSectionClose() => Close(section: true);

    private ImapParseResult? Close(bool section)
    {
        if (expect is not (Expect.Separator or Expect.ArgumentOrClose) || frames.Count == 0 || frames[^1].Atom is not null != section)
        {
            return Fail(expect == Expect.Tag ? "Missing tag" : section ? "Unexpected ']'" : "Unexpected ')'");
        }

        var frame = frames[^1];
        frames.RemoveAt(frames.Count - 1);
        AddArgument(section ? ImapArgument.CreateSection(frame.Atom!, frame.Items, partial: null) : ImapArgument.CreateList(frame.Items));
        sectionJustClosed = section;
        return null;
    }

    private ImapParseResult? OnLiteralHeader()
    {
        if (expect is not (Expect.Argument or Expect.ArgumentOrClose) || InSection && fetchMode)
        {
            return FailLiteral(expect == Expect.Tag ? "Missing tag" : "Unexpected literal", responseCode: null);
        }

        var context = new ImapLiteralContext(tag!, commandName!, arguments.Count, frames.Count, literalSize, literalBinary);
        var streamed = StreamLiteral?.Invoke(context) ?? false;
        if (literalNonSynchronizing && literalSize > Limits.MaxNonSynchronizingLiteralSize)
        {
            return FailLiteral("Non-synchronizing literal too large", "TOOBIG");
        }

        if (streamed ? literalSize > Limits.MaxStreamedLiteralSize : inMemoryLiteralBytes + literalSize > Limits.MaxLiteralSize)
        {
            return FailLiteral("Literal too large", "TOOBIG");
        }

        if (!literalNonSynchronizing)
        {
            streamPending = streamed;
            lex = LexState.AwaitingLiteralDecision;
            return ImapParseResult.Synchronizing(literalSize, literalBinary, streamed);
        }

        BeginLiteral(streamed);
        return null;
    }

    private ImapParseResult? OnEndOfLine()
    {
        switch (expect)
        {
            case Expect.Tag:
                // Note: a blank line between commands (some clients send one after a literal)
                // is ignored rather than answered.
                ResetCommand();
                return null;
            case Expect.Separator when frames.Count == 0:
                var command = new ImapCommand(tag!, commandName!, arguments);
                ResetCommand();
                return ImapParseResult.Completed(command);
            case Expect.Separator or Expect.ArgumentOrClose:
                return Fail(InSection ? "Missing ']'" : "Missing ')'", skip: false);
            case Expect.Argument:
                return Fail("Missing argument after space", skip: false);
            default:
                return Fail("Missing command name", skip: false);
        }
    }

    private List<ImapArgument> CurrentItems => frames.Count > 0 ? frames[^1].Items : arguments;

    private void AddArgument(ImapArgument argument)
    {
        CurrentItems.Add(argument);
        expect = Expect.Separator;
    }

    private string TakeAtom()
    {
        var text = Encoding.ASCII.GetString(CollectionsMarshal.AsSpan(token));
        token.Clear();
        return text;
    }

    private byte[] TakeBytes()
    {
        var bytes = token.ToArray();
        token.Clear();
        return bytes;
    }

    private static bool IsValidTag(string text)
    {
        foreach (var c in text)
        {
            if (!ImapCharacters.IsTagChar(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidCommandName(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private void ResetCommand()
    {
        lex = LexState.Start;
        expect = Expect.Tag;
        tag = null;
        commandName = null;
        fetchMode = false;
        sectionJustClosed = false;
        streamPending = false;
        arguments = [];
        frames.Clear();
        token.Clear();
        literalBuffer = null;
        lineLength = 0;
        inMemoryLiteralBytes = 0;
    }

    private ImapParseResult FailAt(byte b, string reason) => Fail(reason, skip: b != '\n');

    private ImapParseResult Fail(string reason, bool skip = true, string? responseCode = null, bool close = false)
    {
        var error = new ImapParseError(tag, reason, responseCode, close);
        ResetCommand();
        if (skip)
        {
            EnterSkip();
        }

        return ImapParseResult.Failed(error);
    }

    private ImapParseResult FailLineTooLong(byte b)
    {
        SeedSkipFromLiteralHeader();
        var header = (skipHeader, skipHeaderSize, skipHeaderNonSynchronizing);
        var result = Fail("Command line too long", responseCode: "TOOBIG");
        (skipHeader, skipHeaderSize, skipHeaderNonSynchronizing) = header;
        SkipByte(b);
        return result;
    }

    /// <summary>
    /// Refuses a literal whose header is complete. The client sends a non-synchronizing
    /// literal's bytes anyway: discard them, unless there are more than even a streamed literal
    /// may have, then the connection must close (RFC 7888 §4). After a synchronizing header the
    /// client waits, sees the BAD and abandons the command: nothing to discard.
    /// </summary>
    private ImapParseResult FailLiteral(string reason, string? responseCode)
    {
        var nonSynchronizing = literalNonSynchronizing;
        var size = literalSize;
        var close = nonSynchronizing && size > Math.Max(Limits.MaxStreamedLiteralSize, Limits.MaxLiteralSize);
        var result = Fail(reason, skip: false, responseCode, close);
        if (nonSynchronizing && !close)
        {
            skipLiteralRemaining = size;
            skipHeader = SkipHeader.None;
            lex = LexState.SkippingLiteral;
        }

        return result;
    }

    private sealed class Frame(string? atom)
    {
        /// <summary>Null for a list; the atom before "[" for a section.</summary>
        public string? Atom { get; } = atom;

        public List<ImapArgument> Items { get; } = [];
    }
}
