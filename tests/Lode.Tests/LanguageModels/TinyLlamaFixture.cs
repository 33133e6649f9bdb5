using Lode.Chat.Models;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;

namespace Lode.Tests.LanguageModels;

/// <summary>The tiny random-weight GGUFs (with and without a chat template), written once for the collection.</summary>
public sealed class TinyLlamaFixture : IDisposable
{
    public string ModelPath { get; } = TinyLlamaGguf.WriteTempFile();

    public string ModelPathWithoutTemplate { get; } = TinyLlamaGguf.WriteTempFile(withChatTemplate: false);

    /// <summary>Options for a model that answers quickly and deterministically.</summary>
    public LlmOptions Options(Action<LlmOptions>? configure = null)
    {
        var options = new LlmOptions
        {
            Provider = LlmProviders.LlamaSharp,
            ModelPath = ModelPath,
            ContextSize = TinyLlamaGguf.TrainedContext,
            MaxOutputTokens = 16,
            Temperature = 0.8f,
            Seed = 1234,
            Threads = 1,
            BatchSize = 32,
            MaxConcurrentSequences = 1, // the admission tests hold "the" sequence; batching tests raise it
        };
        configure?.Invoke(options);
        return options;
    }

    public static List<ChatMessage> Question(string question = "what is the harbour policy?") =>
    [
        new(ChatRole.System, "Answer from the sources."),
        new(ChatRole.User, question),
    ];

    public void Dispose()
    {
        File.Delete(ModelPath);
        File.Delete(ModelPathWithoutTemplate);
    }
}

[CollectionDefinition(Name)]
public sealed class TinyLlamaCollection : ICollectionFixture<TinyLlamaFixture>
{
    public const string Name = "TinyLlama";
}
