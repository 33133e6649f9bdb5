using Lode.Retrieval;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Retrieval;

public sealed class RetrievalRegistrationTests
{
    private static IServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLodeRetrieval(configuration.GetSection(RetrievalOptions.SectionName)).BuildServiceProvider();
    }

    [Fact]
    public void The_section_is_bound()
    {
        var options = Services(new()
        {
            ["Retrieval:VectorCandidates"] = "64", ["Retrieval:RrfK"] = "20", ["Retrieval:IterativeScan"] = "strict_order",
        }).GetRequiredService<IOptions<RetrievalOptions>>().Value;

        // TextCandidates unset: its default.
        Assert.Equal((64, new RetrievalOptions().TextCandidates, 20, "strict_order", "english"),
            (options.VectorCandidates, options.TextCandidates, options.RrfK, options.IterativeScan, options.TextSearchConfig));
    }

    [Fact]
    public void A_bad_value_is_refused_with_its_key()
    {
        var services = Services(new() { ["Retrieval:IterativeScan"] = "always", ["Retrieval:EfSearch"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RetrievalOptions>>().Value);
        Assert.Contains("Retrieval:IterativeScan", error.Message);
        Assert.Contains("Retrieval:EfSearch", error.Message);
    }

    [Fact]
    public void The_retriever_is_the_registered_IRetriever()
    {
        var services = new ServiceCollection().AddLodeRetrieval(new ConfigurationBuilder().Build());

        var descriptor = Assert.Single(services, d => d.ServiceType == typeof(IRetriever));
        Assert.Equal(ServiceLifetime.Singleton, descriptor.Lifetime);
        Assert.Single(services, d => d.ServiceType == typeof(HybridRetriever));
    }
}
