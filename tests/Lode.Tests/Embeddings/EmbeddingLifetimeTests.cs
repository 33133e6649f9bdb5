using System.ComponentModel.DataAnnotations;
using Lode.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Embeddings;

public sealed class EmbeddingLifetimeTests
{
    [Theory]
    [InlineData("BatchSize", "0")]
    [InlineData("Threads", "-1")]
    [InlineData("MaxTokens", "1000")]
    public void Options_are_validated(string key, string value)
    {
        var (services, _) = Register(new() { [$"Embeddings:{key}"] = value });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EmbeddingOptions>>().Value);
        Assert.Contains($"Embeddings:{key} must be", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposed_generator_refuses_work_and_disposes_twice_safely()
    {
        var generator = new OnnxSentenceEmbeddingGenerator(new EmbeddingOptions { Threads = 1, MaxTokens = 128 });
        Assert.Equal(128, generator.MaxTokens);
        Assert.Single(await generator.GenerateAsync(["hello"]));

        generator.Dispose();
        generator.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync(["hello"]));
        Assert.Throws<ObjectDisposedException>(() => generator.CountTokens("hello"));
    }

    [Fact]
    public async Task Spinning_threads_or_not_the_vectors_are_the_same()
    {
        // Embeddings:AllowSpinning only says how ONNX Runtime's idle threads wait; it must never change a vector.
        using var spinning = new OnnxSentenceEmbeddingGenerator(new EmbeddingOptions { Threads = 2, AllowSpinning = true });
        using var sleeping = new OnnxSentenceEmbeddingGenerator(new EmbeddingOptions { Threads = 2 });
        string[] texts = ["How are dpkg triggers activated?", "Invoices above the threshold need two approvals."];
        var query = new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Query);

        var expected = await spinning.GenerateAsync(texts, query);
        var actual = await sleeping.GenerateAsync(texts, query);

        for (var i = 0; i < texts.Length; i++) Assert.Equal(expected[i].Vector.ToArray(), actual[i].Vector.ToArray());
        Assert.False(new EmbeddingOptions().AllowSpinning);
        Assert.True(Register(new() { ["Embeddings:AllowSpinning"] = "true" }).Bound.AllowSpinning);
    }

    [Fact]
    public void Registration_binds_configuration_and_shares_one_instance()
    {
        var (services, bound) = Register(new() { ["Embeddings:BatchSize"] = "4", ["Embeddings:MaxTokens"] = "200", ["Embeddings:Threads"] = "1" });

        Assert.Equal((4, 200, 1, "all-MiniLM-L6-v2"), (bound.BatchSize, bound.MaxTokens, bound.Threads, bound.Model));
        Assert.Contains(services, d => d.ServiceType == typeof(IConfigureOptions<EmbeddingOptions>));

        using var provider = new SingletonProvider(services, Options.Create(bound));
        // One model behind every interface; the generator interface is the query-batching front over that model
        // (Embeddings:QueryBatchSize defaults to 32).
        var model = provider.GetRequiredService<OnnxSentenceEmbeddingGenerator>();
        Assert.Same(model, provider.GetRequiredService<ITokenCounter>());
        var generator = Assert.IsType<QueryBatchingEmbeddingGenerator>(provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Same(generator, provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Equal(200, provider.GetRequiredService<ITokenCounter>().MaxTokens);
        Assert.All(services.Where(d => d.ServiceType.Namespace!.StartsWith("Lode", StringComparison.Ordinal) || d.ServiceType.Namespace == "Microsoft.Extensions.AI"),
            d => Assert.Equal(ServiceLifetime.Singleton, d.Lifetime));
    }

    [Theory]
    [InlineData(null, "all-MiniLM-L6-v2", 256)]
    [InlineData("", "all-MiniLM-L6-v2", 256)]
    [InlineData("all-MiniLM-L6-v2", "all-MiniLM-L6-v2", 256)]
    [InlineData("snowflake-arctic-embed-xs", "snowflake-arctic-embed-xs", 512)]
    [InlineData(" Snowflake-Arctic-Embed-XS ", "snowflake-arctic-embed-xs", 512)]
    public void Embeddings_Model_selects_the_registered_model(string? configured, string model, int window)
    {
        var (services, bound) = Register(new() { ["Embeddings:Model"] = configured, ["Embeddings:Threads"] = "1" });

        using var provider = new SingletonProvider(services, Options.Create(bound));
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        Assert.Equal(model, generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId);
        Assert.Equal(model, provider.GetRequiredService<OnnxSentenceEmbeddingGenerator>().ModelName);
        Assert.Equal(window, provider.GetRequiredService<ITokenCounter>().MaxTokens);
    }

    [Fact]
    public void An_unknown_model_is_refused_naming_the_setting_and_the_known_models()
    {
        var options = new EmbeddingOptions { Model = "bge-small-en-v1.5" };

        var problems = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), problems, validateAllProperties: true));
        Assert.Throws<ArgumentException>(() => new OnnxSentenceEmbeddingGenerator(options));

        var error = Assert.Single(problems).ErrorMessage;
        Assert.Contains("Embeddings:Model 'bge-small-en-v1.5'", error, StringComparison.Ordinal);
        Assert.Contains("all-MiniLM-L6-v2, snowflake-arctic-embed-xs", error, StringComparison.Ordinal);
        Assert.Equal(SentenceEmbeddingModel.Known.Select(m => m.Id), ["all-MiniLM-L6-v2", "snowflake-arctic-embed-xs"]);
    }

    private static (IServiceCollection Services, EmbeddingOptions Bound) Register(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSentenceEmbeddings(configuration.GetSection(EmbeddingOptions.SectionName));
        return (services, configuration.GetSection(EmbeddingOptions.SectionName).Get<EmbeddingOptions>() ?? new EmbeddingOptions());
    }

    [Fact]
    public void Registering_twice_keeps_one_generator()
    {
        var services = new ServiceCollection();

        services.AddSentenceEmbeddings(o => o.BatchSize = 2).AddSentenceEmbeddings();

        Assert.Single(services, d => d.ServiceType == typeof(ITokenCounter));
        Assert.Single(services, d => d.ServiceType == typeof(IEmbeddingGenerator<string, Embedding<float>>));
    }

    /// <summary>
    /// Just enough of a container to run the registered singleton factories (the test project does not reference the
    /// DI container package itself); options are supplied ready-made.
    /// </summary>
    private sealed class SingletonProvider(IServiceCollection services, IOptions<EmbeddingOptions> options) : IServiceProvider, IDisposable
    {
        private readonly Dictionary<Type, object> _instances = new() { [typeof(IOptions<EmbeddingOptions>)] = options };

        public object? GetService(Type serviceType)
        {
            if (_instances.TryGetValue(serviceType, out var instance))
            {
                return instance;
            }

            var descriptor = services.LastOrDefault(d => d.ServiceType == serviceType);
            if (descriptor?.ImplementationFactory is null)
            {
                return null;
            }

            return _instances[serviceType] = descriptor.ImplementationFactory(this);
        }

        public void Dispose()
        {
            foreach (var disposable in _instances.Values.OfType<IDisposable>().Distinct())
            {
                disposable.Dispose();
            }
        }
    }
}
