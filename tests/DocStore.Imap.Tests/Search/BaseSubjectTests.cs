using DocStore.Imap.Search;
using Xunit;

namespace DocStore.Imap.Tests.Search;

/// <summary>RFC 5256 §2.1: the base subject, and whether a reply or forward marker was removed.</summary>
public sealed class BaseSubjectTests
{
    [Theory]
    [InlineData("Contract", "Contract", false)]
    [InlineData("Re: Contract", "Contract", true)]
    [InlineData("RE: re: Fwd: FW: Contract", "Contract", true)]
    [InlineData("Re[2]: Contract", "Contract", true)]
    [InlineData("Re [2]: Contract", "Contract", true)]
    [InlineData("[docstore] Re: Contract", "Contract", true)]
    [InlineData("[docstore] Contract", "Contract", false)]
    [InlineData("[docstore]", "[docstore]", false)]
    [InlineData("[a][b] Re: [c] Contract", "Contract", true)]
    [InlineData("Contract (fwd)", "Contract", true)]
    [InlineData("Contract (FWD) (fwd)  ", "Contract", true)]
    [InlineData("[Fwd: Re: Contract]", "Contract", true)]
    [InlineData("[fwd: [docstore] Contract (fwd)]", "Contract", true)]
    [InlineData("  Contract \t  draft\r\n two ", "Contract draft two", false)]
    [InlineData("Re:", "", true)]
    [InlineData("Reply: Contract", "Reply: Contract", false)]
    [InlineData("Fwdx: Contract", "Fwdx: Contract", false)]
    [InlineData("Re Contract", "Re Contract", false)]
    [InlineData("[unclosed Re: Contract", "[unclosed Re: Contract", false)]
    [InlineData("", "", false)]
    [InlineData(null, "", false)]
    public void Extract_removes_the_artifacts_the_RFC_names_and_nothing_else(string? subject, string expected, bool replyOrForward)
    {
        Assert.Equal((expected, replyOrForward), (BaseSubject.Extract(subject, out var marked), marked));
    }

    [Fact]
    public void Collation_ignores_case_beyond_ASCII()
    {
        Assert.Equal(BaseSubject.CollationKey("Müller straße ǆ"), BaseSubject.CollationKey("MÜLLER STRAßE Ǆ"));
        Assert.True(string.CompareOrdinal(BaseSubject.CollationKey("apple"), BaseSubject.CollationKey("Banana")) < 0);
        Assert.Equal("", BaseSubject.CollationKey(null));
    }
}
