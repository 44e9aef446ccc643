using System.Globalization;

namespace DocStore.Storage.Embedded;

/// <summary>
/// Whether the embedded PostgreSQL's shared memory could be on huge pages, and what to tell the
/// operator when it is not. PostgreSQL asks for huge pages by default (<c>huge_pages = try</c>)
/// but gets them only where the administrator reserved some (<c>vm.nr_hugepages</c>); without
/// them every backend maps the shared buffers 4 KiB at a time, and on the 2-core test VM first
/// syncs of 20,000 messages ran about 1.3 times faster with them (bench/RESULTS.md, session 17).
/// The price: reserved huge pages are resident from the start (on ordinary pages only the shared
/// buffers touched so far are), about 110 MB more at start-up with the default 128 MB.
/// </summary>
public static class HugePages
{
    /// <summary>
    /// The advice to log, or null when there is nothing to say: the machine reports no huge
    /// pages at all (<paramref name="meminfo"/> null or without the field: not Linux), some
    /// are reserved already, PostgreSQL does not want them, or it could not say how many it needs.
    /// </summary>
    /// <param name="meminfo">The text of <c>/proc/meminfo</c>, or null where there is none.</param>
    /// <param name="setting">PostgreSQL's <c>huge_pages</c> setting.</param>
    /// <param name="pagesNeeded">PostgreSQL's <c>shared_memory_size_in_huge_pages</c> (-1 when unknown).</param>
    /// <param name="sharedMemorySize">PostgreSQL's <c>shared_memory_size</c>, as it prints it.</param>
    public static string? Advice(string? meminfo, string setting, long pagesNeeded, string sharedMemorySize)
    {
        if (meminfo is null || pagesNeeded <= 0 || string.Equals(setting, "off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return Reserved(meminfo) == 0
            ? $"PostgreSQL's shared memory ({sharedMemorySize}) is on ordinary pages: this machine has no huge pages reserved. "
              + $"Reserving {pagesNeeded.ToString(CultureInfo.InvariantCulture)} (as root: sysctl -w vm.nr_hugepages={pagesNeeded.ToString(CultureInfo.InvariantCulture)}, "
              + "and the same in /etc/sysctl.d to keep it) and restarting DocStore made first syncs about 1.3 times faster on a 2-core test machine; "
              + "the reserved pages are held in memory whether PostgreSQL has filled them yet or not"
            : null;
    }

    /// <summary>The huge pages reserved on the machine (<c>HugePages_Total</c>), or null when <paramref name="meminfo"/> does not say.</summary>
    public static long? Reserved(string meminfo)
    {
        foreach (var line in meminfo.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).SequenceEqual("HugePages_Total")
                && long.TryParse(line.AsSpan(colon + 1).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }
        return null;
    }
}
