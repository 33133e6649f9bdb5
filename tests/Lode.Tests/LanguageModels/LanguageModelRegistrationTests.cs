using Lode.Chat.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Lode.Tests.LanguageModels;

/// <summary>AddLodeLanguageModel: one registration per provider, settings validated at start-up, the health check.</summary>
[Collection(TinyLlamaCollection.Name)]
public sealed class LanguageModelRegistrationTests(TinyLlamaFixture tiny)
{
    [Fact]
    public async Task Provider_none_registers_no_model_and_health_says_extractive_fallback()
    {
        using var services = Build(new Dictionary<string, string?>());

        Assert.Null(services.GetService<ILanguageModel>());
        services.GetRequiredService<IStartupValidator>().Validate();
        var health = await Check(services);
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal("extractive fallback", health.Description);
    }

    [Fact]
    public async Task Provider_llamasharp_registers_one_shared_model_and_reports_it_healthy()
    {
        using var services = Build(new Dictionary<string, string?>
        {
            ["Provider"] = "LlamaSharp",
            ["ModelPath"] = tiny.ModelPath,
            ["ContextSize"] = "4096",
            ["MaxOutputTokens"] = "64",
            ["MaxConcurrentSequences"] = "2",
        });
        services.GetRequiredService<IStartupValidator>().Validate();

        var model = services.GetRequiredService<ILanguageModel>();
        Assert.IsType<LlamaSharpLanguageModel>(model);
        Assert.Same(model, services.GetRequiredService<ILanguageModel>());

        var health = await Check(services);
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal("llamasharp", health.Data["provider"]);
        Assert.Equal(model.ModelId, health.Data["model"]);
        Assert.Equal(256, health.Data["contextTokens"]);
        Assert.Equal(0, health.Data["busySequences"]);
        Assert.Equal(0, health.Data["queuedRequests"]);
        Assert.Equal(2, health.Data["maxConcurrentSequences"]);
        Assert.Equal("gguf", health.Data["chatTemplate"]);
    }

    [Theory]
    [InlineData("/nowhere/model.gguf", "does not exist")]
    [InlineData("", "is required")]
    public void A_missing_model_path_stops_start_up_naming_the_setting(string path, string problem)
    {
        using var services = Build(new Dictionary<string, string?> { ["Provider"] = "llamasharp", ["ModelPath"] = path });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Llm:ModelPath", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_path_that_is_not_a_gguf_stops_start_up()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{\"not\": \"a model\"}");
            using var services = Build(new Dictionary<string, string?> { ["Provider"] = "llamasharp", ["ModelPath"] = path });

            var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
            Assert.Contains("Llm:ModelPath", error.Message, StringComparison.Ordinal);
            Assert.Contains("not a GGUF file", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("gpu-box:8000/v1")]
    [InlineData("/v1")]
    [InlineData("ftp://gpu-box/v1")]
    [InlineData("")]
    public void An_endpoint_that_is_not_an_absolute_http_url_stops_start_up(string endpoint)
    {
        using var services = Build(new Dictionary<string, string?> { ["Provider"] = "openai", ["Endpoint"] = endpoint, ["Model"] = "m" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Llm:Endpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_provider_stops_start_up()
    {
        using var services = Build(new Dictionary<string, string?> { ["Provider"] = "gpt-in-the-cloud" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Llm:Provider", error.Message, StringComparison.Ordinal);
        Assert.Null(services.GetService<ILanguageModel>());
    }

    [Fact]
    public async Task Provider_openai_registers_the_remote_model_with_the_configured_context()
    {
        using var services = Build(new Dictionary<string, string?>
        {
            ["Provider"] = "openai",
            ["Endpoint"] = "http://127.0.0.1:9/v1",
            ["Model"] = "qwen2.5-7b-instruct",
            ["ContextSize"] = "8192",
            ["MaxOutputTokens"] = "256",
        });
        services.GetRequiredService<IStartupValidator>().Validate();

        var model = Assert.IsType<OpenAiCompatibleLanguageModel>(services.GetRequiredService<ILanguageModel>());
        Assert.Equal("qwen2.5-7b-instruct", model.ModelId);
        Assert.Equal(8192, model.ContextTokens);
        Assert.Equal(256, model.MaxOutputTokens);
        var health = await Check(services);
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal("openai", health.Data["provider"]);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(kv => $"{LlmOptions.SectionName}:{kv.Key}", kv => kv.Value))
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddLodeLanguageModel(configuration.GetSection(LlmOptions.SectionName));
        return services.BuildServiceProvider();
    }

    private static Task<HealthCheckResult> Check(ServiceProvider services) =>
        ActivatorUtilities.CreateInstance<LanguageModelHealthCheck>(services)
            .CheckHealthAsync(new HealthCheckContext { Registration = new HealthCheckRegistration("llm", _ => null!, null, null) });
}
