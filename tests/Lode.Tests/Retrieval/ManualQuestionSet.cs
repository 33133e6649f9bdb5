using System.Text.Json;

namespace Lode.Tests.Retrieval;

/// <summary>
/// One question of the manual question set: <see cref="Document"/> names the object that answers it (its key or a unique
/// key suffix, see <see cref="ManualsCorpus.Resolve"/>); <see cref="Pages"/> are the physical 1-based PDF pages that
/// hold the answer (for an HTML file, which is one page, [1]). <see cref="Tags"/> starts with the style, "paraphrase" or
/// "keyword", optionally followed by the kind of question (howto, why, definition, limit, troubleshooting).
/// </summary>
public sealed record ManualQuestion(string Id, string Question, string Document, IReadOnlyList<int> Pages, IReadOnlyList<string> Tags, string Note)
{
    public string Style => Tags[0];
}

/// <summary>
/// The questions over <see cref="ManualsCorpus"/>, in two halves: <c>questions.tune.jsonl</c> (for tuning retrieval) and
/// <c>questions.check.jsonl</c> (for measuring it, never looked at while tuning). The split is fixed by
/// <see cref="Split"/>, so nobody can move a question from one half to the other by hand.
/// </summary>
public static class ManualQuestionSet
{
    public const int SplitSeed = 20261202;

    public static IReadOnlyList<ManualQuestion> Load(string half)
    {
        var questions = new List<ManualQuestion>();
        foreach (var line in File.ReadLines(Path.Combine(ManualsCorpus.DataDirectory, $"questions.{half}.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var json = JsonDocument.Parse(line);
            var q = json.RootElement;
            questions.Add(new ManualQuestion(
                q.GetProperty("id").GetString()!,
                q.GetProperty("question").GetString()!,
                q.GetProperty("document").GetString()!,
                q.GetProperty("pages").EnumerateArray().Select(p => p.GetInt32()).ToList(),
                q.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList(),
                q.GetProperty("note").GetString()!));
        }
        return questions;
    }

    public static IReadOnlyList<ManualQuestion> Tune => Load("tune");

    public static IReadOnlyList<ManualQuestion> Check => Load("check");

    /// <summary>
    /// The ids of the tuning half: the ids sorted ordinally, shuffled by Fisher–Yates (i from n-1 down to 1, swap i with
    /// <c>Next(i + 1)</c>) driven by <c>new Random(seed)</c> (seeded, hence .NET's stable legacy generator), first ceil(n/2).
    /// </summary>
    public static IReadOnlySet<string> Split(IEnumerable<string> ids, int seed = SplitSeed)
    {
        var shuffled = ids.Order(StringComparer.Ordinal).ToArray();
        var random = new Random(seed);
        for (var i = shuffled.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
        }
        return shuffled.Take((shuffled.Length + 1) / 2).ToHashSet(StringComparer.Ordinal);
    }
}
