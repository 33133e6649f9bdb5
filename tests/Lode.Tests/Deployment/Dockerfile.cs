using System.Text.RegularExpressions;

namespace Lode.Tests.Deployment;

/// <summary>
/// A Dockerfile read as Docker reads it, as far as the tests need: line continuations joined, comments dropped, the
/// ARGs before the first FROM (usable in FROM lines) and the stages with their instructions.
/// </summary>
public sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyDictionary<string, string> globalArgs, IReadOnlyList<DockerStage> stages)
    {
        GlobalArgs = globalArgs;
        Stages = stages;
    }

    public IReadOnlyDictionary<string, string> GlobalArgs { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage Stage(string name) =>
        Stages.SingleOrDefault(s => s.Name == name) ?? throw new InvalidOperationException($"The Dockerfile has no stage '{name}'.");

    /// <summary>The image a stage starts from, with a <c>${ARG}</c> replaced by the ARG's default.</summary>
    public string BaseImageOf(DockerStage stage) =>
        ArgReference().Replace(stage.BaseImage, m => GlobalArgs.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);

    public static Dockerfile Parse(string text)
    {
        var globalArgs = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<DockerStage>();
        List<DockerInstruction>? current = null;
        string? name = null, baseImage = null;
        foreach (var instruction in Instructions(text))
        {
            if (instruction.Keyword == "FROM")
            {
                if (current is not null) stages.Add(new DockerStage(name!, baseImage!, current));
                var words = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToArray();
                baseImage = words[0];
                name = words.Length >= 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : $"#{stages.Count}";
                current = [];
            }
            else if (current is null && instruction.Keyword == "ARG")
            {
                var parts = instruction.Arguments.Split('=', 2);
                globalArgs[parts[0]] = parts.Length == 2 ? parts[1] : "";
            }
            else
            {
                current?.Add(instruction);
            }
        }
        if (current is not null) stages.Add(new DockerStage(name!, baseImage!, current));
        return new Dockerfile(globalArgs, stages);
    }

    private static IEnumerable<DockerInstruction> Instructions(string text)
    {
        var pending = "";
        var startLine = 0;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
            if (pending.Length == 0) startLine = i + 1;
            var continues = trimmed.EndsWith('\\');
            pending += (continues ? trimmed[..^1] : trimmed) + " ";
            if (continues) continue;
            var logical = Whitespace().Replace(pending.Trim(), " ");
            var space = logical.IndexOf(' ');
            yield return new DockerInstruction(logical[..space].ToUpperInvariant(), logical[(space + 1)..], startLine);
            pending = "";
        }
    }

    [GeneratedRegex(@"\$\{(\w+)\}")]
    private static partial Regex ArgReference();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

/// <summary>One instruction, continuation lines joined; <see cref="Line"/> is where it starts.</summary>
public sealed record DockerInstruction(string Keyword, string Arguments, int Line);

public sealed record DockerStage(string Name, string BaseImage, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<string> All(string keyword) => Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    /// <summary>The stage's ENV settings (<c>ENV A=1 B=2</c>; values without spaces).</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        All("ENV").SelectMany(e => e.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : "", StringComparer.Ordinal);
}
