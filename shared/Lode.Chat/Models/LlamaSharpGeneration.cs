using System.Text;
using LLama;
using LLama.Exceptions;
using LLama.Native;
using LLama.Sampling;
using Microsoft.Extensions.AI;

namespace Lode.Chat.Models;

/// <summary>
/// One answer being generated in one llama.cpp context: prompt evaluation, then one token per <see cref="Next"/>.
/// Synchronous and single-threaded on purpose (each call is one native decode); the chat client runs the calls on the
/// thread pool, one after another, and checks cancellation between them.
/// </summary>
internal sealed class LlamaSharpGeneration : IDisposable
{
    private readonly LLamaContext _context;
    private readonly SafeLlamaModelHandle.Vocabulary _vocab;
    private readonly LLamaToken[] _prompt;
    private readonly int _maxOutputTokens;
    private readonly LLamaBatch _batch = new();
    private readonly DefaultSamplingPipeline _sampler;
    private readonly StreamingTokenDecoder _decoder;
    private readonly StopSequenceMatcher _stops;
    private int _position;
    private bool _done;

    public LlamaSharpGeneration(LLamaContext context, LLamaWeights weights, LlamaSharpRequest request)
    {
        _context = context;
        _vocab = weights.Vocab;
        _prompt = request.PromptTokens;
        _maxOutputTokens = request.MaxOutputTokens;
        _sampler = request.CreateSampler();
        _decoder = new StreamingTokenDecoder(Encoding.UTF8, weights);
        _stops = new StopSequenceMatcher(request.StopSequences);
    }

    public int InputTokens => _prompt.Length;

    /// <summary>Tokens sampled for the answer (the end-of-generation token not included).</summary>
    public int OutputTokens { get; private set; }

    public ChatFinishReason? FinishReason { get; private set; }

    /// <summary>Evaluates the prompt, <see cref="LLamaContext.BatchSize"/> tokens per decode.</summary>
    public void Prefill(CancellationToken cancellationToken)
    {
        _context.NativeHandle.MemoryClear();
        var batchSize = (int)_context.BatchSize;
        for (var start = 0; start < _prompt.Length; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _batch.Clear();
            var end = Math.Min(start + batchSize, _prompt.Length);
            for (var i = start; i < end; i++)
            {
                _batch.Add(_prompt[i], i, LLamaSeqId.Zero, logits: i == _prompt.Length - 1);
            }

            Decode();
        }

        _position = _prompt.Length;
    }

    /// <summary>
    /// Samples the next token and returns the text it completes (may be empty: half a character, or text held back
    /// because it may start a stop sequence), or null once the answer is finished (<see cref="FinishReason"/> set).
    /// </summary>
    public string? Next(CancellationToken cancellationToken)
    {
        if (_done)
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (OutputTokens >= _maxOutputTokens)
        {
            return Finish(ChatFinishReason.Length);
        }

        var token = _sampler.Sample(_context.NativeHandle, _batch.TokenCount - 1);
        if (token.IsEndOfGeneration(_vocab))
        {
            return Finish(ChatFinishReason.Stop);
        }

        OutputTokens++;
        _decoder.Add(token);
        var text = _stops.Append(_decoder.Read());
        if (_stops.Stopped)
        {
            _done = true;
            FinishReason = ChatFinishReason.Stop;
            return text;
        }

        // Feed the token back, unless this was the last one allowed (saves a decode).
        if (OutputTokens < _maxOutputTokens)
        {
            _batch.Clear();
            _batch.Add(token, _position++, LLamaSeqId.Zero, logits: true);
            Decode();
        }

        return text;
    }

    private string Finish(ChatFinishReason reason)
    {
        _done = true;
        FinishReason = reason;
        return _stops.Flush();
    }

    private void Decode()
    {
        var result = _context.Decode(_batch);
        if (result != DecodeResult.Ok)
        {
            throw new LLamaDecodeError(result);
        }
    }

    public void Dispose() => _sampler.Dispose();
}

/// <summary>What one chat request asks of the model, resolved against the configuration.</summary>
/// <param name="SharedPrefixLength">Leading prompt tokens that are the shared prefix (system prompt), 0 for none;
/// always shorter than the prompt. The batched engine evaluates them once for every request that has them.</param>
internal sealed record LlamaSharpRequest(
    LLamaToken[] PromptTokens,
    int SharedPrefixLength,
    int MaxOutputTokens,
    float Temperature,
    uint? Seed,
    float? TopP,
    int? TopK,
    float? FrequencyPenalty,
    float? PresencePenalty,
    IReadOnlyList<string> StopSequences)
{
    public DefaultSamplingPipeline CreateSampler()
    {
        var sampler = new DefaultSamplingPipeline
        {
            Temperature = Temperature,
            TopP = TopP ?? 0.9f,
            TopK = TopK ?? 40,
            FrequencyPenalty = FrequencyPenalty ?? 0,
            PresencePenalty = PresencePenalty ?? 0,
        };
        if (Seed is { } seed)
        {
            sampler.Seed = seed;
        }

        return sampler;
    }
}
