using System.Globalization;

namespace Lode.Benchmarks;

/// <summary>
/// The arguments of the benchmarks that run the app's services over a corpus: <c>[folder] [--runs N] [--out FILE]
/// [--Section:Key=value ...]</c> (settings override the app's configuration, e.g. <c>--Embeddings:Threads=1</c>).
/// </summary>
internal sealed record BenchmarkArguments(string? Folder, int Runs, string? Output, IReadOnlyList<string> Settings)
{
    /// <summary>The arguments, or null (after saying why on stderr) when one is not understood.</summary>
    public static BenchmarkArguments? Parse(string[] args)
    {
        string? folder = null;
        var runs = 1;
        string? output = null;
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs" when i + 1 < args.Length:
                    runs = Math.Max(1, int.Parse(args[++i], CultureInfo.InvariantCulture));
                    break;
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case var setting when setting.StartsWith("--", StringComparison.Ordinal) && setting.Contains('=', StringComparison.Ordinal):
                    settings.Add(setting);
                    break;
                case var path when !path.StartsWith("--", StringComparison.Ordinal) && folder is null:
                    folder = path;
                    break;
                default:
                    Console.Error.WriteLine($"Unexpected argument '{args[i]}'.");
                    return null;
            }
        }

        return new BenchmarkArguments(folder, runs, output, settings);
    }

    /// <summary>The corpus folder (default: infra/local/samples).</summary>
    public string CorpusFolder => Folder ?? Path.Combine(Tests.Support.S3ServerProcess.FindRepositoryRoot(), "infra", "local", "samples");

    /// <summary>As infra/local/up.sh does with the samples: the folder's top-level files, except its README.</summary>
    public string[] CorpusFiles() =>
        Directory.GetFiles(CorpusFolder)
            .Where(f => !Path.GetFileName(f).Equals("README.md", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToArray();

    /// <summary>Writes the table to <see cref="Output"/> when one was asked for.</summary>
    public async Task WriteOutputAsync(string table)
    {
        if (Output is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(Output))!);
        await File.WriteAllTextAsync(Output, table);
    }
}
