namespace DocStore.Host;

/// <summary>A one-line progress bar on standard error, drawn only on a terminal so that scripts and logs stay clean.</summary>
internal sealed class ProgressBar(string label) : IProgress<(long Done, long Total)>
{
    private readonly bool visible = !Console.IsErrorRedirected;
    private int lastPercent = -1;

    public void Report((long Done, long Total) value)
    {
        if (!visible)
        {
            return;
        }
        var percent = value.Total == 0 ? 100 : (int)(value.Done * 100 / value.Total);
        if (percent == lastPercent && value.Done != value.Total)
        {
            return;
        }
        lastPercent = percent;
        var filled = percent * 30 / 100;
        Console.Error.Write($"\r{label} [{new string('#', filled)}{new string('.', 30 - filled)}] {value.Done}/{value.Total}");
        if (value.Done == value.Total)
        {
            Console.Error.WriteLine();
        }
    }
}
