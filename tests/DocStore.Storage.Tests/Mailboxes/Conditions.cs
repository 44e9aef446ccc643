namespace DocStore.Storage.Tests.Mailboxes;

/// <summary>Waiting in tests for something that must happen; the guard only stops a hang, it decides no outcome.</summary>
internal static class Conditions
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; throws after the hang guard.</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (!await condition())
        {
            await Task.Delay(20, guard.Token);
        }
    }
}
