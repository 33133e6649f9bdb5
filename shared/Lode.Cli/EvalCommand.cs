using System.CommandLine;
using System.Text.Json;
using Lode.Evaluation;

namespace Lode.Cli;

/// <summary>
/// <c>lode eval questions.jsonl</c> (admin key): checks the index against questions whose answers are known. The file
/// is checked here first (a bad line is named by its number, and nothing is sent), then evaluated by the app as the
/// key's reader; the metrics and misses are printed and the app's report is written as JSON.
/// </summary>
public static class EvalCommand
{
    public const int DefaultTop = 5;

    public static Command Create(GlobalOptions options, CliConsole console)
    {
        var questionsFile = new Argument<FileInfo>("questions")
        {
            Description = "JSON Lines, one question a line: {\"question\": \"...\", \"document\": \"key or its end\", \"pages\": [3], \"tags\": [\"...\"], \"id\": \"...\"}",
        };
        var bucket = new Option<string?>("--bucket") { Description = "Only this bucket" };
        var prefix = new Option<string?>("--prefix") { Description = "Only keys starting with this (literal)" };
        var top = new Option<int>("--top") { Description = "A question is missed when its answer is not in this many first passages", DefaultValueFactory = _ => DefaultTop };
        var modes = new Option<string[]>("--mode") { Description = "Search modes to compare, comma-separated: hybrid,vector,text (default: all three)" };
        var reportFile = new Option<FileInfo?>("--report") { Description = "Where to write the JSON report (default: beside the questions, <name>.report.json)" };
        var command = new Command("eval", "Measure retrieval against questions with known answers: hit@1/3/5/10 and MRR per mode and tag, and the misses (needs an admin key)")
        {
            questionsFile, bucket, prefix, top, modes, reportFile,
        };
        console.SetAction(command, options, async (parse, api, ct) =>
        {
            var file = parse.GetValue(questionsFile)!;
            var questions = await ReadAsync(file, ct);
            var modeNames = parse.GetValue(modes)?.SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            await console.Out.WriteLineAsync($"Evaluating {questions.Count} questions; every one is searched once per mode.");
            await console.Out.FlushAsync(ct);

            var answer = await api.PostAsync("api/admin/eval", new
            {
                questions,
                bucket = parse.GetValue(bucket),
                prefix = parse.GetValue(prefix),
                top = parse.GetValue(top),
                modes = modeNames is { Count: > 0 } ? modeNames : null,
            }, ct);
            var report = answer.Deserialize<EvaluationReport>(LodeApi.Json)
                         ?? throw new CliFailure("Lode answered the evaluation without a report.");
            await EvaluationPrinter.PrintAsync(report, console.Out);

            var path = parse.GetValue(reportFile)?.FullName ?? Path.ChangeExtension(file.FullName, ".report.json");
            await WriteAsync(path, answer, ct);
            await console.Out.WriteLineAsync($"Report written to {path}.");
            return 0;
        });
        return command;
    }

    private static async Task<IReadOnlyList<EvaluationQuestion>> ReadAsync(FileInfo file, CancellationToken ct)
    {
        try
        {
            using var reader = file.OpenText();
            return await QuestionLines.ReadAsync(reader, ct);
        }
        catch (QuestionFileException e)
        {
            throw new CliFailure($"{file.Name}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure($"Cannot read the questions: {e.Message}", e);
        }
    }

    private static async Task WriteAsync(string path, JsonElement report, CancellationToken ct)
    {
        try
        {
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, Indented) + "\n", ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliFailure($"The evaluation ran, but its report could not be written to {path}: {e.Message}", e);
        }
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
