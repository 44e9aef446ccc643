using System.Buffers;
using System.Text;
using DocStore.Imap.Protocol.Commands;

namespace DocStore.Imap.Protocol.Tests.Commands;

public sealed class PreAuthenticationCommandTests
{
    [Theory]
    [InlineData("a LOGIN fred secret\r\n", "fred", "secret")]
    [InlineData("a LOGIN \"fred smith\" \"p\\\"w\"\r\n", "fred smith", "p\"w")]
    [InlineData("a LOGIN {4+}\r\nfred {7+}\r\nsécré\r\n", "fred", "sécré")]
    [InlineData("a LOGIN \"\" \"\"\r\n", "", "")]
    [InlineData("a LOGIN NIL nil\r\n", "NIL", "nil")]
    public void Login_reads_two_astrings(string wire, string user, string password)
    {
        Assert.True(LoginCommand.TryParse(ParserHarness.ParseOne(wire), out var login, out var error), error);
        Assert.Equal((user, password), (login.UserName, login.Password));
        Assert.Equal($"LOGIN {user} ***", login.ToString());
    }

    [Theory]
    [InlineData("a LOGIN fred\r\n")]
    [InlineData("a LOGIN\r\n")]
    [InlineData("a LOGIN fred secret extra\r\n")]
    [InlineData("a LOGIN (fred) secret\r\n")]
    [InlineData("a LOGIN fred ~{2+}\r\nxy\r\n")]
    public void Login_refuses_anything_else(string wire)
    {
        Assert.False(LoginCommand.TryParse(ParserHarness.ParseOne(wire), out _, out var error));
        Assert.StartsWith("Expected LOGIN", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Login_refuses_a_password_that_is_not_utf8()
    {
        var parser = new ImapCommandParser(ImapParserLimits.PreAuthentication);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes("a LOGIN fred \"s\u00e9\"\r\n")));
        var command = parser.Parse(ref reader).Command!;
        Assert.False(LoginCommand.TryParse(command, out _, out _));
    }

    [Theory]
    [InlineData("a AUTHENTICATE plain\r\n", "PLAIN", null)]
    [InlineData("a AUTHENTICATE PLAIN =\r\n", "PLAIN", "")]
    [InlineData("a AUTHENTICATE PLAIN AGZyZWQAc2VjcmV0\r\n", "PLAIN", "\0fred\0secret")]
    [InlineData("a AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ckw=\r\n", "SCRAM-SHA-256", "n,,n=user,r=rL")]
    public void Authenticate_reads_the_mechanism_and_the_initial_response(string wire, string mechanism, string? initial)
    {
        Assert.True(AuthenticateCommand.TryParse(ParserHarness.ParseOne(wire), out var command, out var error), error);
        Assert.Equal(mechanism, command.Mechanism);
        Assert.Equal(initial, command.InitialResponse is null ? null : Encoding.UTF8.GetString(command.InitialResponse));
    }

    [Theory]
    [InlineData("a AUTHENTICATE\r\n")]
    [InlineData("a AUTHENTICATE \"PLAIN\"\r\n")]
    [InlineData("a AUTHENTICATE PL@IN\r\n")]
    [InlineData("a AUTHENTICATE PLAIN AGZyZWQ\r\n")]
    [InlineData("a AUTHENTICATE PLAIN AGZy*WQA\r\n")]
    [InlineData("a AUTHENTICATE PLAIN = x\r\n")]
    public void Authenticate_refuses_bad_mechanisms_and_bad_base64(string wire)
    {
        Assert.False(AuthenticateCommand.TryParse(ParserHarness.ParseOne(wire), out _, out _));
    }

    [Theory]
    [InlineData("*", true, true, null)]
    [InlineData("", true, false, "")]
    [InlineData("AGZyZWQAc2VjcmV0", true, false, "\0fred\0secret")]
    [InlineData("AGZyZWQ", false, false, null)]
    [InlineData("=", false, false, null)]
    public void Authenticate_responses_are_base64_or_a_cancel(string line, bool valid, bool cancelled, string? data)
    {
        var sequence = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(line));
        Assert.Equal(valid, AuthenticateCommand.TryParseResponse(sequence, out var bytes, out var isCancelled));
        Assert.Equal(cancelled, isCancelled);
        Assert.Equal(data, bytes is null ? null : Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Id_reads_fields_in_order_with_nil_values()
    {
        Assert.True(IdCommand.TryParse(ParserHarness.ParseOne("a ID (\"name\" \"Thunderbird\" \"version\" NIL \"os\" {5+}\r\nLinux)\r\n"), out var id, out var error), error);
        Assert.Equal([new IdField("name", "Thunderbird"), new IdField("version", null), new IdField("os", "Linux")], id.Fields);
        Assert.Equal("Thunderbird", id["NAME"]);
    }

    [Fact]
    public void Id_nil_has_no_fields()
    {
        Assert.True(IdCommand.TryParse(ParserHarness.ParseOne("a ID nil\r\n"), out var id, out _));
        Assert.Null(id.Fields);
    }

    [Theory]
    [InlineData("a ID\r\n")]
    [InlineData("a ID ()\r\n")]
    [InlineData("a ID (\"name\")\r\n")]
    [InlineData("a ID (name \"x\")\r\n")]
    [InlineData("a ID (NIL \"x\")\r\n")]
    [InlineData("a ID (\"name\" \"x\") extra\r\n")]
    [InlineData("a ID NIL NIL\r\n")]
    [InlineData("a ID \"name\" \"x\"\r\n")]
    public void Id_refuses_what_rfc_2971_does_not_allow(string wire)
    {
        Assert.False(IdCommand.TryParse(ParserHarness.ParseOne(wire), out _, out var error));
        Assert.NotEmpty(error);
    }

    [Theory]
    [InlineData(30, 30, 1024, true)]
    [InlineData(31, 30, 1024, false)]
    [InlineData(1, 31, 1, false)]
    [InlineData(1, 1, 1025, false)]
    public void Id_limits_hold_at_and_over_their_bounds(int pairs, int nameLength, int valueLength, bool valid)
    {
        var fields = string.Join(' ', Enumerable.Range(0, pairs).Select(i =>
            $"\"{i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)}{new string('n', nameLength - 2 < 0 ? 0 : nameLength - 2)}\" \"{new string('v', valueLength)}\""));
        var wire = $"a ID ({fields})\r\n";
        Assert.Equal(valid, IdCommand.TryParse(ParserHarness.ParseOne(wire), out _, out _));
    }

    [Fact]
    public void Enable_reads_capabilities_in_upper_case()
    {
        Assert.True(EnableCommand.TryParse(ParserHarness.ParseOne("a ENABLE imap4rev2 UTF8=ACCEPT CONDSTORE\r\n"), out var enable, out _));
        Assert.Equal(["IMAP4REV2", "UTF8=ACCEPT", "CONDSTORE"], enable.Capabilities);
    }

    [Theory]
    [InlineData("a ENABLE\r\n")]
    [InlineData("a ENABLE \"CONDSTORE\"\r\n")]
    [InlineData("a ENABLE (CONDSTORE)\r\n")]
    public void Enable_needs_at_least_one_atom(string wire)
    {
        Assert.False(EnableCommand.TryParse(ParserHarness.ParseOne(wire), out _, out _));
    }

    [Theory]
    [InlineData("a CAPABILITY\r\n", true)]
    [InlineData("a NOOP\r\n", true)]
    [InlineData("a STARTTLS\r\n", true)]
    [InlineData("a LOGOUT now\r\n", false)]
    [InlineData("a STARTTLS \"\"\r\n", false)]
    [InlineData("a NOOP ()\r\n", false)]
    public void Commands_without_arguments_refuse_any(string wire, bool valid)
    {
        Assert.Equal(valid, NoArgumentsCommand.TryParse(ParserHarness.ParseOne(wire), out var error));
        Assert.Equal(valid, error is null);
    }
}
