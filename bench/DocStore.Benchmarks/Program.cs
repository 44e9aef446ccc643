using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/DocStore.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>Entry point marker for the benchmark switcher.</summary>
internal sealed partial class Program;
