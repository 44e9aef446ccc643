using System.Globalization;

namespace DocStore.LoadGenerator;

/// <summary>
/// A server's memory as the sum of PSS (proportional set size: private pages plus each shared
/// page divided by its sharers) over the given processes and all their descendants, read from
/// <c>/proc/PID/smaps_rollup</c>, so forked workers sharing one binary are not counted N times;
/// plus the machine's huge pages in use when the server maps any (PSS leaves them out).
/// </summary>
internal static class ProcessMemory
{
    public static (double Megabytes, int Processes) Measure(IReadOnlyList<int> roots)
    {
        var pids = WithDescendants(roots);
        long kib = 0;
        var onHugePages = false;
        foreach (var pid in pids)
        {
            var (pss, hugetlb) = ReadKib(pid);
            kib += pss;
            onHugePages |= hugetlb > 0;
        }

        // Huge pages (hugetlb) are not in PSS, and each process's smaps shows only the ones it
        // touched: a PostgreSQL whose shared memory is on them (HUGE_PAGES=1) is charged every
        // huge page in use on the machine (reserved for it alone in the bench) instead.
        return ((kib + (onHugePages ? HugePagesInUseKib() : 0)) / 1024.0, pids.Count);
    }

    /// <summary>
    /// CPU time (user + system, milliseconds) the processes and their descendants have used so
    /// far, from <c>/proc/PID/stat</c> (clock ticks of 10 ms): the difference of two readings is
    /// what the server spent in between, whatever else the machine was running.
    /// </summary>
    public static double CpuMilliseconds(IReadOnlyList<int> roots)
    {
        long ticks = 0;
        foreach (var pid in WithDescendants(roots))
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // proc(5): utime and stime are fields 14 and 15; the split starts at field 3.
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }

        return ticks * 1000.0 / TicksPerSecond;
    }

    /// <summary>sysconf(_SC_CLK_TCK): 100 on Linux for every architecture .NET runs on.</summary>
    private const int TicksPerSecond = 100;

    private static HashSet<int> WithDescendants(IReadOnlyList<int> roots)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || !TryReadParent(pid, out var parent))
            {
                continue;
            }

            if (!children.TryGetValue(parent, out var list))
            {
                list = [];
                children[parent] = list;
            }

            list.Add(pid);
        }

        var found = new HashSet<int>();
        var pending = new Stack<int>(roots);
        while (pending.TryPop(out var pid))
        {
            if (found.Add(pid) && children.TryGetValue(pid, out var list))
            {
                list.ForEach(pending.Push);
            }
        }

        return found;
    }

    /// <summary>proc(5): the parent PID is the second field after the parenthesised command name.</summary>
    private static bool TryReadParent(int pid, out int parent)
    {
        parent = 0;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.TryParse(fields[1], CultureInfo.InvariantCulture, out parent);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>PSS, and the huge pages the process maps (which PSS leaves out), from smaps_rollup.</summary>
    private static (long Pss, long Hugetlb) ReadKib(int pid)
    {
        long pss = 0, hugetlb = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                if (line.StartsWith("Pss:", StringComparison.Ordinal))
                {
                    pss = Kib(line);
                }
                else if (line.StartsWith("Private_Hugetlb:", StringComparison.Ordinal) || line.StartsWith("Shared_Hugetlb:", StringComparison.Ordinal))
                {
                    hugetlb += Kib(line);
                }
            }
        }
        catch (IOException)
        {
            // The process ended meanwhile.
        }

        return (pss, hugetlb);
    }

    /// <summary>(HugePages_Total - HugePages_Free) x Hugepagesize, from /proc/meminfo.</summary>
    private static long HugePagesInUseKib()
    {
        var fields = File.ReadLines("/proc/meminfo")
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        long Value(string name) => long.Parse(fields[name].Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
        return (Value("HugePages_Total") - Value("HugePages_Free")) * Value("Hugepagesize");
    }

    private static long Kib(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
}
