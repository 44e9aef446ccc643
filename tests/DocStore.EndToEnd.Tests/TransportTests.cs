using DocStore.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace DocStore.EndToEnd.Tests;

/// <summary>
/// The socket transport the server is built with (issue #3, STORE): sessions run inline on the
/// socket's completion thread only when the operator turns it on. The IMAP and conformance tests
/// run their sessions over it.
/// </summary>
public sealed class TransportTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public void Sessions_are_scheduled_inline_only_when_configured_on(string? setting, bool inline)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (setting is not null)
        {
            builder.Configuration["Imap:InlineScheduling"] = setting;
        }

        ServeCommand.ConfigureTransport(builder.WebHost, builder.Configuration);
        using var app = builder.Build();

        Assert.Equal(inline, app.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
    }
}
