using Lode.Embeddings;
using Lode.Ingestion.Chunking;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Chunking;

public sealed class ChunkingRegistrationTests
{
    [Fact]
    public void Registration_binds_options_and_uses_the_registered_token_counter()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Chunking:MaxTokens"] = "100",
                ["Chunking:OverlapTokens"] = "10",
                ["Chunking:MinTokens"] = "20",
            })
            .Build();
        var services = new ServiceCollection();
        services.AddTokenAwareChunker(configuration.GetSection(ChunkingOptions.SectionName));

        var bound = configuration.GetSection(ChunkingOptions.SectionName).Get<ChunkingOptions>()!;
        Assert.Equal((100, 10, 20), (bound.MaxTokens, bound.OverlapTokens, bound.MinTokens));

        var counter = new WhitespaceTokenCounter(maxTokens: 64);
        var factory = Assert.Single(services, d => d.ServiceType == typeof(TokenAwareChunker)).ImplementationFactory!;
        var chunker = (TokenAwareChunker)factory(new Resolver(new Dictionary<Type, object>
        {
            [typeof(ITokenCounter)] = counter,
            [typeof(IOptions<ChunkingOptions>)] = Options.Create(bound),
        }));

        Assert.Equal(62, chunker.MaxChunkTokens);
    }

    private sealed class Resolver(Dictionary<Type, object> services) : IServiceProvider
    {
        public object? GetService(Type serviceType) => services.GetValueOrDefault(serviceType);
    }
}
