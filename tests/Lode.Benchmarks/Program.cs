using Lode.Benchmarks;

// A tiny dispatcher: one subcommand per benchmark, each benchmark in its own file.
var benchmarks = new SortedDictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["embed"] = EmbeddingBenchmark.RunAsync,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Lode.Benchmarks <{string.Join('|', benchmarks.Keys)}> [options]");
    return 2;
}

return await run(args[1..]);
