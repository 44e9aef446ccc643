using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace DocStore.Imap.Protocol.Commands;

/// <summary>
/// Parses RFC 9051 §9 search-program's keys (with the WITHIN, CONDSTORE, OBJECTID, FUZZY and
/// SAVEDATE extensions) into a <see cref="SearchKey"/> tree, for SEARCH, SORT and THREAD.
/// </summary>
internal sealed class SearchKeyParser
{
    /// <summary>The charsets strings may come in; both decode as UTF-8, US-ASCII being a subset.</summary>
    public const string BadCharsetResponseCode = "BADCHARSET (UTF-8 US-ASCII)";

    private static readonly Dictionary<string, (string Flag, bool IsSet)> FlagWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ANSWERED"] = ("\\Answered", true),
        ["DELETED"] = ("\\Deleted", true),
        ["DRAFT"] = ("\\Draft", true),
        ["FLAGGED"] = ("\\Flagged", true),
        ["SEEN"] = ("\\Seen", true),
        ["RECENT"] = ("\\Recent", true),
        ["UNANSWERED"] = ("\\Answered", false),
        ["UNDELETED"] = ("\\Deleted", false),
        ["UNDRAFT"] = ("\\Draft", false),
        ["UNFLAGGED"] = ("\\Flagged", false),
        ["UNSEEN"] = ("\\Seen", false),

        // RFC 3501 §6.4.4: OLD is NOT RECENT.
        ["OLD"] = ("\\Recent", false),
    };

    private static readonly Dictionary<string, SearchTextField> TextWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["BCC"] = SearchTextField.Bcc,
        ["BODY"] = SearchTextField.Body,
        ["CC"] = SearchTextField.Cc,
        ["FROM"] = SearchTextField.From,
        ["SUBJECT"] = SearchTextField.Subject,
        ["TEXT"] = SearchTextField.Text,
        ["TO"] = SearchTextField.To,
    };

    private static readonly Dictionary<string, (SearchDateField Field, SearchDateComparison Comparison)> DateWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["BEFORE"] = (SearchDateField.Internal, SearchDateComparison.Before),
        ["ON"] = (SearchDateField.Internal, SearchDateComparison.On),
        ["SINCE"] = (SearchDateField.Internal, SearchDateComparison.Since),
        ["SENTBEFORE"] = (SearchDateField.Sent, SearchDateComparison.Before),
        ["SENTON"] = (SearchDateField.Sent, SearchDateComparison.On),
        ["SENTSINCE"] = (SearchDateField.Sent, SearchDateComparison.Since),
        ["SAVEDBEFORE"] = (SearchDateField.Saved, SearchDateComparison.Before),
        ["SAVEDON"] = (SearchDateField.Saved, SearchDateComparison.On),
        ["SAVEDSINCE"] = (SearchDateField.Saved, SearchDateComparison.Since),
    };

    private readonly bool asciiOnly;
    private int depth;

    private SearchKeyParser(bool asciiOnly) => this.asciiOnly = asciiOnly;

    /// <summary>
    /// RFC 9051 §6.4.4 charset (atom or quoted): UTF-8 or US-ASCII, any case. Otherwise the
    /// answer is NO with <see cref="BadCharsetResponseCode"/>, not BAD.
    /// </summary>
    public static bool TryParseCharset(ImapArgument? argument, [NotNullWhen(true)] out string? charset, [NotNullWhen(false)] out string? error, out string? responseCode)
    {
        charset = null;
        responseCode = null;
        if (argument is null || !(argument.Kind == ImapArgumentKind.Atom || argument.Kind == ImapArgumentKind.Quoted) || !argument.TryGetAString(out var name))
        {
            error = "Expected a charset";
            return false;
        }

        charset = name.ToUpperInvariant();
        if (charset is not ("UTF-8" or "US-ASCII"))
        {
            charset = null;
            error = "Unsupported charset; use UTF-8";
            responseCode = BadCharsetResponseCode;
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>
    /// Reads every remaining argument as search keys, at least one; several are ANDed.
    /// <paramref name="charset"/> US-ASCII refuses 8-bit strings.
    /// </summary>
    /// <summary>
    /// <c>[CHARSET charset] search-key *(SP search-key)</c>, the tail SEARCH and ESEARCH share
    /// (RFC 9051 §6.4.4, RFC 7377); <paramref name="responseCode"/> as for <see cref="TryParseCharset"/>.
    /// </summary>
    public static bool TryParseCriteria(ImapArgumentReader reader, out string? charset, [NotNullWhen(true)] out SearchKey? key,
        [NotNullWhen(false)] out string? error, out string? responseCode)
    {
        charset = null;
        key = null;
        responseCode = null;
        if (reader.TryReadWord("CHARSET"))
        {
            reader.TryRead(out var charsetArgument);
            if (!TryParseCharset(charsetArgument, out charset, out error, out responseCode))
            {
                return false;
            }
        }
        return TryParseProgram(reader, charset, out key, out error);
    }

    public static bool TryParseProgram(ImapArgumentReader reader, string? charset, [NotNullWhen(true)] out SearchKey? key, [NotNullWhen(false)] out string? error) =>
        new SearchKeyParser(string.Equals(charset, "US-ASCII", StringComparison.Ordinal)).TryReadKeys(reader, out key, out error);

    private bool TryReadKeys(ImapArgumentReader reader, [NotNullWhen(true)] out SearchKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        var keys = new List<SearchKey>();
        do
        {
            if (!TryReadKey(reader, out var next, out error))
            {
                return false;
            }

            keys.Add(next);
        }
        while (!reader.IsAtEnd);

        key = keys.Count == 1 ? keys[0] : new AndKey(keys);
        return true;
    }

    private bool TryReadKey(ImapArgumentReader reader, [NotNullWhen(true)] out SearchKey? key, [NotNullWhen(false)] out string? error)
    {
        // The parser bounds parentheses; NOT, OR and FUZZY nest without them, so recursion is
        // bounded here too.
        if (++depth > SearchCommand.MaxKeyDepth)
        {
            key = null;
            error = "Search keys nested too deeply";
            return false;
        }

        var success = TryReadKeyCore(reader, out key, out error);
        depth--;
        return success;
    }

    private bool TryReadKeyCore(ImapArgumentReader reader, [NotNullWhen(true)] out SearchKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        if (!reader.TryRead(out var argument))
        {
            error = "Missing search key";
            return false;
        }

        if (argument.Kind == ImapArgumentKind.List)
        {
            if (argument.Items.Count == 0)
            {
                error = "Empty parenthesised search key";
                return false;
            }

            return TryReadKeys(new ImapArgumentReader(argument.Items), out key, out error);
        }

        if (argument.Kind != ImapArgumentKind.Atom)
        {
            error = "Expected a search key";
            return false;
        }

        var word = argument.Atom!;
        if (FlagWords.TryGetValue(word, out var flag))
        {
            key = new FlagKey(flag.Flag, flag.IsSet);
        }
        else if (TextWords.TryGetValue(word, out var field))
        {
            return TryReadString(reader, word, out var value, out error) && Done(new TextKey(field, null, value), out key);
        }
        else if (DateWords.TryGetValue(word, out var date))
        {
            return TryReadDate(reader, word, out var day, out error) && Done(new DateKey(date.Field, date.Comparison, day), out key);
        }
        else if (SequenceSet.TryParse(word, out var set))
        {
            key = new SequenceKey(set, IsUid: false);
        }
        else
        {
            return TryReadKeyword(reader, word.ToUpperInvariant(), out key, out error);
        }

        error = null;
        return true;
    }

    private bool TryReadKeyword(ImapArgumentReader reader, string word, [NotNullWhen(true)] out SearchKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        error = null;
        switch (word)
        {
            case "ALL":
                return Done(AllKey.Instance, out key);
            case "SAVEDATESUPPORTED":
                return Done(SaveDateSupportedKey.Instance, out key);
            case "NEW":
                // RFC 3501 §6.4.4: NEW is RECENT UNSEEN.
                return Done(new AndKey([new FlagKey("\\Recent", true), new FlagKey("\\Seen", false)]), out key);
            case "KEYWORD" or "UNKEYWORD":
                if (!reader.TryReadAtom(out var keyword) || !ImapFlags.IsFlag(keyword) || ImapFlags.IsExtensionFlag(keyword))
                {
                    error = $"{word} takes a keyword atom";
                    return false;
                }

                return Done(new FlagKey(keyword, word is "KEYWORD"), out key);
            case "HEADER":
                if (!reader.TryReadAString(out var name) || !FetchSection.IsHeaderFieldName(name))
                {
                    error = "HEADER takes a field name and a string";
                    return false;
                }

                return TryReadString(reader, word, out var value, out error) && Done(new TextKey(SearchTextField.Header, name, value), out key);
            case "LARGER" or "SMALLER":
                if (!reader.TryReadNumber(out var size) || size > long.MaxValue)
                {
                    error = $"{word} takes a number";
                    return false;
                }

                return Done(new SizeKey(word is "LARGER" ? SearchSizeComparison.Larger : SearchSizeComparison.Smaller, size), out key);
            case "OLDER" or "YOUNGER":
                if (!reader.TryReadNzNumber(out var seconds))
                {
                    error = $"{word} takes a number of seconds, at least 1";
                    return false;
                }

                return Done(new WithinKey(word is "OLDER" ? SearchWithinComparison.Older : SearchWithinComparison.Younger, seconds), out key);
            case "UID":
                if (!reader.TryReadAtom(out var uids) || !SequenceSet.TryParse(uids, out var set))
                {
                    error = "UID takes a sequence set";
                    return false;
                }

                return Done(new SequenceKey(set, IsUid: true), out key);
            case "NOT" or "FUZZY":
                if (!TryReadKey(reader, out var inner, out error))
                {
                    return false;
                }

                return Done(word is "NOT" ? new NotKey(inner) : new FuzzyKey(inner), out key);
            case "OR":
                if (!TryReadKey(reader, out var left, out error) || !TryReadKey(reader, out var right, out error))
                {
                    return false;
                }

                return Done(new OrKey(left, right), out key);
            case "MODSEQ":
                return TryReadModSeq(reader, out key, out error);
            case "EMAILID" or "THREADID":
                // RFC 8474 §7: objectid = 1*255(ALPHA / DIGIT / "_" / "-").
                if (!reader.TryReadAtom(out var id) || id.Length > 255 || id.AsSpan().ContainsAnyExcept(ObjectIdCharacters))
                {
                    error = $"{word} takes an object id";
                    return false;
                }

                return Done(new IdKey(word is "EMAILID" ? SearchIdField.Email : SearchIdField.Thread, id), out key);
            default:
                error = $"Unknown search key {word}";
                return false;
        }
    }

    private static bool TryReadModSeq(ImapArgumentReader reader, [NotNullWhen(true)] out SearchKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        error = "Expected MODSEQ [\"/flags/flag\" priv|shared|all] mod-sequence";
        string? flag = null;
        ModSeqEntryType? type = null;
        if (reader.Peek() is { Kind: ImapArgumentKind.Quoted } && reader.TryReadString(out var entry))
        {
            // RFC 7162 §3.1.5: entry-flag-name = "/flags/" attr-flag.
            const string prefix = "/flags/";
            flag = entry.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? entry[prefix.Length..] : null;
            type = reader.TryReadAtom(out var typeName) ? typeName.ToUpperInvariant() switch
            {
                "PRIV" => ModSeqEntryType.Private,
                "SHARED" => ModSeqEntryType.Shared,
                "ALL" => ModSeqEntryType.All,
                _ => null,
            } : null;
            if (flag is null || !ImapFlags.IsFlag(flag) || type is null)
            {
                return false;
            }
        }

        if (!reader.TryReadNumber(out var modSeq) || modSeq > long.MaxValue)
        {
            return false;
        }

        key = new ModSeqKey(modSeq, flag, type);
        error = null;
        return true;
    }

    private bool TryReadString(ImapArgumentReader reader, string word, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        if (reader.Peek() is not { } argument || !(argument.Kind is ImapArgumentKind.Atom or ImapArgumentKind.Nil || argument.IsString))
        {
            error = $"{word} takes a string";
            return false;
        }

        if (!reader.TryReadAString(out value))
        {
            error = "Search string is not valid UTF-8";
            return false;
        }

        if (asciiOnly && !Ascii.IsValid(value))
        {
            value = null;
            error = "Search string has 8-bit characters but the charset is US-ASCII";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>RFC 9051 §9 date: date-text, bare or quoted.</summary>
    private static bool TryReadDate(ImapArgumentReader reader, string word, out DateOnly date, [NotNullWhen(false)] out string? error)
    {
        date = default;
        if (reader.Peek() is { Kind: ImapArgumentKind.Atom or ImapArgumentKind.Quoted } && reader.TryReadAString(out var text) &&
            ImapDates.TryParseDate(text, out var parsed))
        {
            date = parsed.Value;
            error = null;
            return true;
        }

        error = $"{word} takes a date such as 1-Feb-1994";
        return false;
    }

    private static bool Done(SearchKey result, out SearchKey key)
    {
        key = result;
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> ObjectIdCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
}
