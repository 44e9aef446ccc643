namespace DocStore.Core.Sharing;

/// <summary>The standard rights of RFC 4314 §2.1 on one collection.</summary>
[Flags]
public enum MailboxRights
{
    None = 0,

    /// <summary><c>l</c>: the mailbox is visible to LIST.</summary>
    Lookup = 1,

    /// <summary><c>r</c>: SELECT, EXAMINE, STATUS, FETCH, SEARCH, COPY from it.</summary>
    Read = 2,

    /// <summary><c>s</c>: keep \Seen (private to each user).</summary>
    Seen = 4,

    /// <summary><c>w</c>: set flags and keywords other than \Seen and \Deleted.</summary>
    Write = 8,

    /// <summary><c>i</c>: APPEND and COPY into it.</summary>
    Insert = 16,

    /// <summary><c>p</c>: send mail to its submission address (not used by DocStore).</summary>
    Post = 32,

    /// <summary><c>k</c>: CREATE child mailboxes, RENAME into it.</summary>
    CreateMailbox = 64,

    /// <summary><c>x</c>: DELETE or RENAME the mailbox.</summary>
    DeleteMailbox = 128,

    /// <summary><c>t</c>: set or clear \Deleted.</summary>
    DeleteMessages = 256,

    /// <summary><c>e</c>: EXPUNGE.</summary>
    Expunge = 512,

    /// <summary><c>a</c>: GETACL, SETACL, DELETEACL, LISTRIGHTS.</summary>
    Administer = 1024,

    All = 2047,
}

/// <summary>Rights as RFC 4314 letters (<c>lrswipkxtea</c>).</summary>
public static class RightsText
{
    /// <summary>The letters in RFC 4314 order; letter n is flag 1 &lt;&lt; n.</summary>
    public const string Letters = "lrswipkxtea";

    public static string Format(MailboxRights rights)
    {
        var letters = new char[Letters.Length];
        var count = 0;
        for (var i = 0; i < Letters.Length; i++)
        {
            if (((int)rights & (1 << i)) != 0)
            {
                letters[count++] = Letters[i];
            }
        }
        return new string(letters, 0, count);
    }

    /// <summary>The rights the letters name; other characters (digits, obsolete c and d) are ignored.</summary>
    public static MailboxRights Parse(string letters)
    {
        var rights = MailboxRights.None;
        foreach (var c in letters)
        {
            var index = Letters.IndexOf(c, StringComparison.Ordinal);
            if (index >= 0)
            {
                rights |= (MailboxRights)(1 << index);
            }
        }
        return rights;
    }

    /// <summary>True when at least one of the rights is granted.</summary>
    public static bool HasAny(this MailboxRights rights, MailboxRights any) => (rights & any) != MailboxRights.None;

    /// <summary>True when the user may know the mailbox exists (RFC 4314: l or r); otherwise it answers as nonexistent.</summary>
    public static bool IsVisible(this MailboxRights rights) => rights.HasAny(MailboxRights.Lookup | MailboxRights.Read);
}
