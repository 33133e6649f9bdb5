using CsCheck;

namespace Lode.Tests.Support;

/// <summary>
/// Runs a property over cases from a CsCheck generator, deterministically: case i comes from a fixed seed, so every run
/// checks the same cases and a failure is reproducible. A failing case is then handed to CsCheck, which shrinks it
/// and reports the smallest failing case with its seed; setting that seed (<c>CsCheck_Seed=...</c>) replays that one
/// case alone.
/// </summary>
public static class DeterministicProperty
{
    private const uint Stream = 2024;

    public static async Task CheckAsync<T>(Gen<T> gen, Func<T, Task> property, int cases, Func<T, string> print, Action<string>? log = null)
    {
        var seeds = Check.Seed is { } replay
            ? [replay]
            : Enumerable.Range(0, cases).Select(i => new PCG(Stream, (ulong)i).ToString()).ToArray();
        foreach (var seed in seeds)
        {
            var value = gen.Generate(PCG.Parse(seed), null, out _);
            try
            {
                await property(value);
            }
            catch (Exception e) when (e is not CsCheckException)
            {
                log?.Invoke($"Case with seed {seed} failed: {e.Message}\n{print(value)}\nShrinking...");
                // Starts from the failing seed, then tries smaller random cases; throws with the smallest that fails.
                await gen.SampleAsync(property, log, seed, iter: 200, threads: 1, print: print);
                throw;
            }
        }
        log?.Invoke($"{seeds.Length} cases passed.");
    }
}
