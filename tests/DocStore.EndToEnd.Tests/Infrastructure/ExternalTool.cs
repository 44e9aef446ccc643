using System.Diagnostics;

namespace DocStore.EndToEnd.Tests.Infrastructure;

/// <summary>Runs a real client program (python3, curl, mbsync, the docstore CLI) to completion.</summary>
public static class ExternalTool
{
    public static Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> arguments, string? standardInput = null)
    {
        var info = new ProcessStartInfo(program);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        return RunAsync(info, standardInput);
    }

    /// <summary>Runs <paramref name="info"/> with its input, output and error redirected: exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(ProcessStartInfo info, string? standardInput)
    {
        info.UseShellExecute = false;
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start; is it installed?");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }
        process.StandardInput.Close();
        await WaitForExitAsync(process, TimeSpan.FromSeconds(120));
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// Waits for <paramref name="process"/> to end, and for the end of its redirected output,
    /// which a child that inherited the pipe could hold open for ever: within
    /// <paramref name="limit"/>, or it is killed with its children and the wait fails (a test that
    /// hung here would hold up the whole run; session 13's CI ran into its time limit).
    /// </summary>
    public static async Task WaitForExitAsync(Process process, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException e)
        {
            var exited = process.HasExited;
            if (!exited)
            {
                process.Kill(entireProcessTree: true);
            }
            throw new TimeoutException($"{process.StartInfo.FileName} (pid {process.Id}, exited: {exited}) did not end, or its output did not, within {limit.TotalSeconds:F0} s", e);
        }
    }
}
