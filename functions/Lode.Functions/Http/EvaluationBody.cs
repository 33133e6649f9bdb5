using Lode.Evaluation;
using Lode.Retrieval;
using Lode.Retrieval.Evaluation;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Lode.Functions.Http;

/// <summary>The body of POST api/admin/eval: the questions (as the lines of a question file) and how to run them.</summary>
public sealed record EvaluationBody(
    IReadOnlyList<EvaluationQuestion?>? Questions,
    string? Bucket,
    string? Prefix,
    int? Top,
    IReadOnlyList<string?>? Modes)
{
    public const int DefaultTop = 5;

    /// <summary>Questions per request: every one is searched once per mode, one after the other.</summary>
    public const int MaxQuestions = 2000;

    /// <summary>Room for <see cref="MaxQuestions"/> questions of a few hundred characters with their tags.</summary>
    public const long MaxBytes = 8 << 20;

    /// <summary>Throws the 400 to answer when the body cannot be evaluated as it is.</summary>
    public void Validate(RetrievalOptions limits)
    {
        if (Questions is null || Questions.Count == 0)
            throw ApiException.BadRequest("invalid_questions", "questions must list at least one {question, document, pages} object.");
        if (Questions.Count > MaxQuestions)
            throw ApiException.BadRequest("invalid_questions", $"questions must list at most {MaxQuestions} questions; split the set.");
        for (var i = 0; i < Questions.Count; i++)
        {
            var problem = Questions[i] is { } question ? question.Problem(limits.MaxQueryChars) : "must be a {question, document, pages} object.";
            if (problem is not null) throw ApiException.BadRequest("invalid_question", $"question {i + 1}: {problem}");
        }
        // The retriever returns at most MaxTop passages, and ranks are looked for to 10 whatever top is.
        var top = Top ?? DefaultTop;
        if (top < 1 || Math.Max(top, RankMetrics.DeepestCutoff) > limits.MaxTop)
            throw ApiException.BadRequest("invalid_top", limits.MaxTop < RankMetrics.DeepestCutoff
                ? $"An evaluation looks at {RankMetrics.DeepestCutoff} passages per question, more than Retrieval:MaxTop ({limits.MaxTop}) allows."
                : $"top must be a whole number from 1 to {limits.MaxTop}.");
        if (Modes is { Count: 0 } || Modes?.Any(name => !SearchModeNames.TryParse(name, out _)) == true)
            throw ApiException.BadRequest("invalid_mode", "modes must list one or more of hybrid, vector, text.");
    }

    /// <summary>What to evaluate for a body <see cref="Validate"/> accepted, searching as <paramref name="caller"/>.</summary>
    public (IReadOnlyList<EvaluationQuestion> Questions, EvaluationOptions Options) EvaluationFor(Caller caller) =>
        (Questions!.Select(question => question!).ToList(), new EvaluationOptions(
            caller.Groups,
            string.IsNullOrEmpty(Bucket) ? null : Bucket,
            string.IsNullOrEmpty(Prefix) ? null : Prefix,
            Top ?? DefaultTop,
            Modes?.Select(Mode).ToList()));

    private static SearchMode Mode(string? name) =>
        SearchModeNames.TryParse(name, out var mode) ? mode : throw new InvalidOperationException($"Mode '{name}' was not checked.");
}
