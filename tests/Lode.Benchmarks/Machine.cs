using System.Runtime.InteropServices;

namespace Lode.Benchmarks;

/// <summary>What the benchmarks report about the machine they ran on.</summary>
internal static class Machine
{
    /// <summary>Logical CPUs, CPU model, operating system and .NET runtime, for a table's header.</summary>
    public static string Description() =>
        $"{Environment.ProcessorCount} logical CPUs, {CpuModel()}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";

    public static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : "unknown CPU";
}
