using System.Text;
using LLama;
using LLama.Native;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Lode.Chat.Models;

/// <summary>
/// Turns chat messages into the prompt text the model was trained on: the GGUF's own <c>tokenizer.chat_template</c>,
/// applied by llama.cpp (<see cref="LLamaTemplate"/>, which recognises the common template families). Only when the
/// GGUF has no template, or one llama.cpp does not recognise, a plain "### Role" transcript is used instead, and a
/// warning says so. Message text is stripped of the model's control-token strings (e.g. <c>&lt;|im_end|&gt;</c>), so
/// a document or a user cannot forge turns: the prompt is tokenized with special tokens enabled.
/// </summary>
internal sealed class LlamaSharpPromptFormatter
{
    public const string GgufSource = "gguf";
    public const string PlainSource = "plain fallback";

    private const string PlainTurnStart = "### ";

    private readonly LLamaWeights _weights;
    private readonly string[] _controlTexts;

    public LlamaSharpPromptFormatter(LLamaWeights weights, ILogger logger)
    {
        _weights = weights;
        _controlTexts = ControlTokenTexts(weights);
        var template = weights.NativeHandle.GetTemplate(null, strict: false);
        if (template is null)
        {
            Source = PlainSource;
            logger.LogWarning("The GGUF has no tokenizer.chat_template: using the plain '### Role' prompt format, which the model was not trained on.");
        }
        else if (!CanApplyModelTemplate())
        {
            Source = PlainSource;
            logger.LogWarning("llama.cpp does not recognise the GGUF's tokenizer.chat_template: using the plain '### Role' prompt format, which the model was not trained on.");
        }
        else
        {
            Source = GgufSource;
            logger.LogInformation("Chat prompts use the GGUF's tokenizer.chat_template.");
        }

        ImplicitStopSequences = Source == PlainSource ? ["\n" + PlainTurnStart] : [];
    }

    /// <summary><see cref="GgufSource"/> or <see cref="PlainSource"/>.</summary>
    public string Source { get; }

    /// <summary>Stop sequences the format itself needs (the plain format has no end-of-turn token).</summary>
    public IReadOnlyList<string> ImplicitStopSequences { get; }

    public string Format(IEnumerable<ChatMessage> messages) => Format(messages, addAssistant: true);

    /// <summary>The leading messages as they start every prompt that begins with them (no assistant turn opened).</summary>
    public string FormatPrefix(IEnumerable<ChatMessage> leading) => Format(leading, addAssistant: false);

    private string Format(IEnumerable<ChatMessage> messages, bool addAssistant)
    {
        if (Source == PlainSource)
        {
            var prompt = new StringBuilder();
            foreach (var message in messages)
            {
                prompt.Append(PlainTurnStart).Append(Capitalise(message.Role.Value)).Append('\n')
                    .Append(Clean(message.Text)).Append("\n\n");
            }

            return addAssistant ? prompt.Append(PlainTurnStart).Append("Assistant\n").ToString() : prompt.ToString();
        }

        var template = new LLamaTemplate(_weights) { AddAssistant = addAssistant };
        foreach (var message in messages)
        {
            template.Add(message.Role.Value, Clean(message.Text));
        }

        return LLamaTemplate.Encoding.GetString(template.Apply());
    }

    private bool CanApplyModelTemplate()
    {
        try
        {
            var template = new LLamaTemplate(_weights) { AddAssistant = true };
            template.Add("user", "ping");
            return template.Apply().Length > 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    private string Clean(string text)
    {
        foreach (var control in _controlTexts)
        {
            if (text.Contains(control, StringComparison.Ordinal))
            {
                text = text.Replace(control, string.Empty, StringComparison.Ordinal);
            }
        }

        return text;
    }

    private static string[] ControlTokenTexts(LLamaWeights weights)
    {
        var vocab = weights.Vocab;
        var texts = new HashSet<string>(StringComparer.Ordinal);
        for (var id = 0; id < vocab.Count; id++)
        {
            LLamaToken token = id;
            if (token.IsControl(vocab) && vocab.LLamaTokenToString(token, isSpecialToken: true) is { Length: > 1 } text)
            {
                texts.Add(text);
            }
        }

        // Longest first, so "<|im_end|>" goes before any shorter control string it contains.
        return texts.OrderByDescending(t => t.Length).ToArray();
    }

    private static string Capitalise(string role) =>
        role.Length == 0 ? role : char.ToUpperInvariant(role[0]) + role[1..];
}
