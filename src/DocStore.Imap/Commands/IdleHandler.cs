using System.Buffers;
using DocStore.Imap.Protocol;
using DocStore.Imap.Protocol.Commands;
using DocStore.Imap.Server;

namespace DocStore.Imap.Commands;

/// <summary>
/// RFC 2177 IDLE: a continuation, then updates as they happen (woken by the
/// <see cref="MailboxNotifier"/>, no polling), until the client sends DONE.
/// </summary>
internal static class IdleHandler
{
    public static async Task<Completion> ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken cancellationToken)
    {
        if (!NoArgumentsCommand.TryParse(command, out var error))
        {
            return Completion.Bad(error);
        }
        // Take the signal before anything else: a client may change the mailbox from another
        // connection as soon as it reads "+", and a signal sent before we took it would be lost
        // (there is no poll). Then the continuation at once, and the watch: it is granted once
        // the change listener hears every change from then on (it listens only while some
        // session watches, and its lock may first wait for a writer's open transaction, which
        // must not hold back the "+"). Then catch up on what changed between the last update
        // check and the grant.
        var signal = NextSignal(session);
        session.Writer.WriteContinuation("idling");
        await session.FlushAsync(cancellationToken);

        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(session.Options.IdleTimeout);
        var done = session.ReadIdleDoneAsync(idle.Token);
        var watching = session.Selected is null ? null : session.Backend.Notifier.WatchAsync(idle.Token);
        try
        {
            if (watching is not null && await Task.WhenAny(done, watching) == watching)
            {
                if (!watching.IsCompletedSuccessfully)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    return await TimedOutAsync(session, cancellationToken);
                }
                await session.ReportChangesAsync(allowExpunge: true, cancellationToken);
                await session.FlushAsync(cancellationToken);
            }
            while (true)
            {
                var first = await Task.WhenAny(done, signal.WaitAsync(idle.Token));
                if (first == done)
                {
                    await idle.CancelAsync();
                    return await done switch
                    {
                        IdleEnd.Done => Completion.Ok("IDLE terminated"),
                        IdleEnd.Garbage => Completion.Bad("Expected DONE."),
                        _ => Closed(session),
                    };
                }
                if (!signal.IsCompleted)
                {
                    return await TimedOutAsync(session, cancellationToken);
                }
                // Take the next signal before reading, so a change landing during the read wakes us again.
                var woken = signal;
                signal = NextSignal(session);
                await session.ReportChangesAsync(allowExpunge: true, cancellationToken, woken);
                await session.FlushAsync(cancellationToken);
            }
        }
        finally
        {
            await EndWatchAsync(watching, idle);
        }
    }

    /// <summary>Idle timeout (RFC 9051 §5.4): the done-reader sees the cancellation and ends too.</summary>
    private static async Task<Completion> TimedOutAsync(ImapSession session, CancellationToken cancellationToken)
    {
        session.Writer.WriteUntaggedStatus(ImapStatus.Bye, null, "Autologout; idle for too long.");
        session.LoggingOut();
        await session.FlushAsync(cancellationToken);
        return Completion.Written;
    }

    /// <summary>Ends the watch with the IDLE, also one not granted yet (its cancellation ends it).</summary>
    private static async Task EndWatchAsync(Task<IDisposable>? watching, CancellationTokenSource idle)
    {
        if (watching is null)
        {
            return;
        }
        await idle.CancelAsync();
        try
        {
            (await watching).Dispose();
        }
        catch (OperationCanceledException)
        {
            // Never granted: WatchAsync ended the watch itself.
        }
    }

    private static Task NextSignal(ImapSession session) =>
        session.Selected is { } view ? session.Backend.Notifier.Signal(view.Mailbox.Id) : Task.Delay(Timeout.Infinite, CancellationToken.None);

    private static Completion Closed(ImapSession session)
    {
        session.LoggingOut();
        return Completion.Written;
    }
}

/// <summary>How the client ended IDLE.</summary>
internal enum IdleEnd
{
    Done,
    Garbage,
    Closed,
}
