namespace DocStore.Core.Documents;

/// <summary>
/// A change refused because a document or collection is on legal hold (DESIGN.md: legal hold
/// forbids expunge, moving out and purge). The message says which and why, for the user; IMAP
/// answers it as <c>NO [CANNOT]</c>, HTTP as 409.
/// </summary>
public sealed class LegalHoldException : Exception
{
    public LegalHoldException()
    {
    }

    public LegalHoldException(string message)
        : base(message)
    {
    }

    public LegalHoldException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
