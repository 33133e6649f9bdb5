using System.Globalization;
using Lode.Evaluation;

namespace Lode.Cli;

/// <summary>An evaluation report as <c>lode eval</c> prints it: metrics per mode, then per tag, then the misses.</summary>
public static class EvaluationPrinter
{
    private static readonly string[] MetricHeaders = ["questions", "hit@1", "hit@3", "hit@5", "hit@10", "MRR"];

    public static async Task PrintAsync(EvaluationReport report, TextWriter output)
    {
        await output.WriteLineAsync($"{report.Questions.Count} questions{Scope(report)}. A miss: the answer not in the first {report.Top} " +
                                    $"passages; ranks are looked for in the first {report.Depth}.");
        await output.WriteLineAsync();
        await WriteTableAsync(output, ["mode"], report.Modes.Select(m => (new[] { m.Mode }, m.Overall)));

        var tagged = report.Modes.SelectMany(m => m.Tags.Select(t => (new[] { t.Tag, m.Mode }, t.Metrics))).OrderBy(row => row.Item1[0], StringComparer.Ordinal).ToList();
        if (tagged.Count > 0)
        {
            await output.WriteLineAsync();
            await WriteTableAsync(output, ["tag", "mode"], tagged);
        }

        await output.WriteLineAsync();
        if (report.Misses.Count == 0)
        {
            await output.WriteLineAsync($"No misses: every answer was in the first {report.Top} passages, in every mode.");
            return;
        }
        await output.WriteLineAsync($"Misses ({report.Misses.Count}):");
        foreach (var miss in report.Misses) await WriteMissAsync(output, miss, report);
    }

    /// <summary>Metrics as numbers with three decimals, whatever the machine's culture.</summary>
    public static string Number(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static async Task WriteTableAsync(TextWriter output, string[] labels, IEnumerable<(string[] Labels, RankMetrics Metrics)> rows)
    {
        List<string[]> cells = [[.. labels, .. MetricHeaders]];
        cells.AddRange(rows.Select(row => (string[])[.. row.Labels, row.Metrics.Questions.ToString(CultureInfo.InvariantCulture),
            Number(row.Metrics.HitAt1), Number(row.Metrics.HitAt3), Number(row.Metrics.HitAt5), Number(row.Metrics.HitAt10), Number(row.Metrics.Mrr)]));
        var widths = Enumerable.Range(0, cells[0].Length).Select(column => cells.Max(row => row[column].Length)).ToArray();
        // Labels align left, numbers right, so the columns of digits line up.
        foreach (var row in cells)
            await output.WriteLineAsync(string.Join("  ", row.Select((cell, column) =>
                column < labels.Length ? cell.PadRight(widths[column]) : cell.PadLeft(widths[column]))).TrimEnd());
    }

    private static async Task WriteMissAsync(TextWriter output, EvaluationMiss miss, EvaluationReport report)
    {
        var question = miss.Question;
        var id = question.Id is null ? "" : $" ({question.Id})";
        await output.WriteLineAsync($"[{miss.Mode}] question {miss.Number}{id}: {question.Question}");
        var pages = question.Pages.Count == 1 ? $"page {question.Pages[0]}" : $"pages {string.Join(", ", question.Pages)}";
        var found = miss.Rank > 0 ? $"found at rank {miss.Rank}" : $"not in the first {report.Depth}";
        await output.WriteLineAsync($"    expected {question.Document}, {pages}: {found}; returned instead:");
        if (miss.Returned.Count == 0) await output.WriteLineAsync("    nothing");
        foreach (var passage in miss.Returned)
            await output.WriteLineAsync($"    {passage.Rank,2}. {PageSpan.Describe(passage.Bucket, passage.Key, passage.Page, passage.PageEnd)} " +
                                        $"(score {passage.Score.ToString("0.0000", CultureInfo.InvariantCulture)}): {passage.Snippet}");
    }

    private static string Scope(EvaluationReport report) => (report.Bucket, report.Prefix) switch
    {
        (null, null) => "",
        (_, null) => $" in bucket {report.Bucket}",
        (null, _) => $" under prefix {report.Prefix}",
        _ => $" in {report.Bucket}/{report.Prefix}",
    };
}
