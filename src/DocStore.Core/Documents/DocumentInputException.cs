namespace DocStore.Core.Documents;

/// <summary>A document request with input the store cannot take (a tag that is no IMAP keyword, a retention out of range); the message says what to send instead.</summary>
public sealed class DocumentInputException : Exception
{
    public DocumentInputException()
    {
    }

    public DocumentInputException(string message)
        : base(message)
    {
    }

    public DocumentInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
