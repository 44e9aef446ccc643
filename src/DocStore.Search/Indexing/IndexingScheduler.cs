using System.Runtime.InteropServices;

namespace DocStore.Search.Indexing;

/// <summary>
/// The threads the indexer extracts and inverts on: its own, one per core, each lowered in OS
/// priority (Linux per-thread nice) so that an IMAP command waiting for a core is never queued
/// behind indexing, while idle CPU still goes to the index. The live indexer costs 0.4-0.5 ms of
/// CPU per appended mail, competing with the APPEND path itself on a 2-core machine (issue #3).
/// On Linux a thread inherits the nice value of the thread that starts it: these threads are
/// started by the first caller, and nothing on them may queue work to the thread pool (which
/// starts its workers on the queuing thread); Lucene's merge threads they start run lowered too.
/// </summary>
public sealed class IndexingScheduler : TaskScheduler
{
    /// <summary>Nice value of the indexing threads: below the server's request threads (0), above nothing that matters.</summary>
    public const int Niceness = 10;

    private const string ThreadName = "docstore-indexing";

    /// <summary>The one scheduler of the process (threads are background threads, started on first use).</summary>
    public static IndexingScheduler Shared { get; } = new(Math.Max(1, Environment.ProcessorCount));

    [ThreadStatic]
    private static bool onIndexingThread;

    private readonly Queue<Task> queue = new();
    private readonly int threads;
    private int started;

    private IndexingScheduler(int threads) => this.threads = threads;

    /// <summary>Whether the calling thread is one of the indexing threads.</summary>
    public static bool IsIndexingThread => onIndexingThread;

    /// <inheritdoc />
    public override int MaximumConcurrencyLevel => threads;

    /// <inheritdoc />
    protected override void QueueTask(Task task)
    {
        if (Interlocked.Exchange(ref started, 1) == 0)
        {
            for (var i = 0; i < threads; i++)
            {
                new Thread(Run) { IsBackground = true, Name = ThreadName }.Start();
            }
        }
        lock (queue)
        {
            queue.Enqueue(task);
            Monitor.Pulse(queue);
        }
    }

    /// <inheritdoc />
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        onIndexingThread && TryExecuteTask(task);

    /// <inheritdoc />
    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (queue)
        {
            return queue.ToArray();
        }
    }

    private void Run()
    {
        onIndexingThread = true;
        LowerPriority();
        while (true)
        {
            Task task;
            lock (queue)
            {
                while (queue.Count == 0)
                {
                    Monitor.Wait(queue);
                }
                task = queue.Dequeue();
            }
            TryExecuteTask(task);
        }
    }

    /// <summary>Lowers the calling thread alone (on Linux a thread is a task with its own nice value); elsewhere nothing.</summary>
    private static void LowerPriority()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            _ = setpriority(PrioProcess, gettid(), Niceness);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // An older libc without gettid: the threads stay at normal priority.
        }
    }

    /// <summary>The calling thread's nice value (Linux), for tests.</summary>
    internal static int CurrentNiceness() => getpriority(PrioProcess, gettid());

    private const int PrioProcess = 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int gettid();

    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc", SetLastError = true)]
    private static extern int getpriority(int which, int who);
}
