using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/DocStore.Benchmarks -- --filter '*'
// dotnet run -c Release --project bench/DocStore.Benchmarks -- index-cpu (see IndexCpu)
if (args.Length > 0 && string.Equals(args[0], "index-cpu", StringComparison.Ordinal))
{
    return DocStore.Benchmarks.IndexCpu.Run(args);
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

/// <summary>Entry point marker for the benchmark switcher.</summary>
internal sealed partial class Program;
