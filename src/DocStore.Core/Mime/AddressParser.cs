namespace DocStore.Core.Mime;

/// <summary>
/// Parses an address-list header (RFC 5322 §3.4) into ENVELOPE addresses (RFC 9051 §7.5.2),
/// keeping display names as written (encoded-words are not decoded). It never fails: what
/// cannot be read becomes an address with MISSING_MAILBOX / MISSING_DOMAIN / SYNTAX_ERROR,
/// because RFC 9051 reserves a NIL host for group syntax and a client must still see that
/// something was there.
/// </summary>
internal sealed class AddressParser
{
    private readonly Rfc822Lexer lexer;
    private readonly List<EnvelopeAddress> addresses = [];
    private string? name;
    private string? route;
    private string? mailbox;
    private string? host;

    private AddressParser(string value) => lexer = new Rfc822Lexer(value);

    /// <summary>The addresses of the header value, or null (NIL) when there are none.</summary>
    public static IReadOnlyList<EnvelopeAddress>? Parse(string value)
    {
        var parser = new AddressParser(value);
        if (!parser.lexer.SkipCfws())
        {
            return null;
        }

        parser.ParseList();
        return parser.addresses.Count > 0 ? parser.addresses : null;
    }

    private void ParseList()
    {
        while (true)
        {
            var more = ParseAddress();
            if (more == Outcome.End || !lexer.Is(','))
            {
                return;
            }

            lexer.Position++;
            if (!lexer.SkipCfws())
            {
                return;
            }
        }
    }

    private Outcome ParseAddress()
    {
        var start = lexer.Position;
        var group = ParseGroup();
        if (group != Outcome.Failed)
        {
            return group;
        }

        lexer.Position = start;
        return ParseMailbox();
    }

    /// <summary>RFC 5322 §3.4: group = display-name ":" [group-list] ";" [CFWS].</summary>
    private Outcome ParseGroup()
    {
        var phrase = lexer.ReadPhrase();
        if (phrase is null || lexer.AtEnd || !lexer.Is(':'))
        {
            return Outcome.Failed;
        }

        lexer.Position++;
        var more = lexer.SkipCfws();
        addresses.Add(new EnvelopeAddress(null, null, phrase, null));
        if (more && !lexer.Is(';'))
        {
            while (ParseMailbox() == Outcome.More && lexer.Is(','))
            {
                lexer.Position++;
                if (!lexer.SkipCfws())
                {
                    break;
                }
            }
        }

        if (lexer.Is(';'))
        {
            lexer.Position++;
            more = lexer.SkipCfws();
        }

        addresses.Add(new EnvelopeAddress(null, null, null, null));
        return more && !lexer.AtEnd ? Outcome.More : Outcome.End;
    }

    /// <summary>RFC 5322 §3.4: mailbox = name-addr / addr-spec.</summary>
    private Outcome ParseMailbox()
    {
        var start = lexer.Position;
        var outcome = ParseNameAddress();
        if (outcome == Outcome.Failed)
        {
            lexer.Position = start;
            name = route = mailbox = host = null;
            outcome = ParseAddressSpec();
        }

        addresses.Add(new EnvelopeAddress(
            name is null ? null : HeaderText.ForHumans(name),
            route,
            mailbox ?? "MISSING_MAILBOX",
            host ?? "MISSING_DOMAIN"));
        name = route = mailbox = host = null;
        return outcome;
    }

    private Outcome ParseNameAddress()
    {
        var phrase = lexer.ReadPhrase();
        if (phrase is null || !lexer.Is('<'))
        {
            return Outcome.Failed;
        }

        name = phrase.Length == 0 ? null : phrase;
        if (!ParseAngleAddress())
        {
            host = "SYNTAX_ERROR";
        }

        return lexer.AtEnd ? Outcome.End : Outcome.More;
    }

    /// <summary>"&lt;" [obs-route] addr-spec "&gt;", RFC 5322 §3.4 and §4.4.</summary>
    private bool ParseAngleAddress()
    {
        lexer.Position++;
        if (!lexer.SkipCfws())
        {
            return false;
        }

        if (lexer.Is('@'))
        {
            if (!ParseRoute() || !lexer.Is(':'))
            {
                route = "INVALID_ROUTE";
                return false;
            }

            lexer.Position++;
            if (!lexer.SkipCfws())
            {
                return false;
            }
        }

        if (!ParseLocalPart())
        {
            return false;
        }

        if (lexer.Is('@'))
        {
            host = lexer.ReadDomain();
            if (host is null)
            {
                return false;
            }
        }

        if (!lexer.Is('>'))
        {
            return false;
        }

        lexer.Position++;
        lexer.SkipCfws();
        return true;
    }

    /// <summary>RFC 5322 §4.4 obs-domain-list, sent as the at-domain-list of RFC 9051.</summary>
    private bool ParseRoute()
    {
        var domains = new List<string>();
        while (lexer.Is('@'))
        {
            var domain = lexer.ReadDomain();
            if (domain is null)
            {
                return false;
            }

            domains.Add("@" + domain);
            while (lexer.Is(','))
            {
                lexer.Position++;
                lexer.SkipCfws();
            }
        }

        route = string.Join(',', domains);
        return true;
    }

    private Outcome ParseAddressSpec()
    {
        lexer.ClearLastComment();
        var ok = ParseLocalPart();
        if (lexer.Is('@'))
        {
            host = lexer.ReadDomain();
            ok &= host is not null;
        }

        if (!string.IsNullOrEmpty(lexer.LastComment))
        {
            // RFC 822 style "user@host (Real Name)": the comment is the only name there is.
            name = lexer.LastComment;
        }

        if (!ok)
        {
            return Outcome.Failed;
        }

        return lexer.AtEnd ? Outcome.End : Outcome.More;
    }

    private bool ParseLocalPart()
    {
        if (lexer.AtEnd)
        {
            return false;
        }

        mailbox = lexer.Current == '"' ? lexer.ReadQuotedString() : lexer.ReadDotAtom();
        return mailbox is not null;
    }

    private enum Outcome
    {
        Failed,
        End,
        More,
    }
}
