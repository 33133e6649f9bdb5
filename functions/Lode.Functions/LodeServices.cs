using Lode.Audit;
using Lode.Chat;
using Lode.Chat.Models;
using Lode.Teams;
using Lode.Database;
using Lode.Embeddings;
using Lode.Functions.HealthChecks;
using Lode.Functions.Hosting;
using Lode.Functions.Http;
using Lode.Functions.Invocation;
using Lode.Functions.Telemetry;
using Lode.Ingestion;
using Lode.Ocr;
using Lode.Ingestion.Chunking;
using Lode.Ingestion.Links;
using Lode.Ingestion.Operations;
using Lode.Ingestion.Sandbox;
using Lode.Retrieval;
using Lode.Access;
using Lode.Egress;
using Lode.Identity;
using Lode.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lode.Functions;

/// <summary>
/// The one DI registration of the app, used by both hosting modes. Register every service here (health checks
/// via AddHealthChecks().AddCheck&lt;T&gt;(), background workers as IHostedService), never in a mode-specific place.
/// </summary>
public static class LodeServices
{
    public static IServiceCollection AddLode(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // Executes the IActionResults functions return (the worker's ASP.NET Core integration needs it as well).
        services.AddMvcCore();
        services.TryAddSingleton(TimeProvider.System);

        // Every options class is validated at start-up, so a bad setting stops the app with the setting's name.
        services.BindValidated<DatabaseOptions>(configuration, DatabaseOptions.SectionName);
        services.BindValidated<StorageOptions>(configuration, StorageOptions.SectionName);
        services.BindValidated<IngestionOptions>(configuration, IngestionOptions.SectionName);
        services.BindValidated<SandboxOptions>(configuration, SandboxOptions.SectionName);
        services.BindValidated<ReindexOptions>(configuration, ReindexOptions.SectionName);
        services.BindValidated<ReconcileOptions>(configuration, ReconcileOptions.SectionName);
        services.BindValidated<SecurityOptions>(configuration, SecurityOptions.SectionName);
        services.BindValidated<EgressOptions>(configuration, EgressOptions.SectionName);
        services.BindValidated<OidcOptions>(configuration, OidcOptions.SectionName);
        services.BindValidated<RateLimitOptions>(configuration, RateLimitOptions.SectionName);
        services.BindValidated<WebhookOptions>(configuration, WebhookOptions.SectionName);
        services.BindValidated<DocumentAccessOptions>(configuration, DocumentAccessOptions.SectionName);
        services.BindValidated<AuditOptions>(configuration, AuditOptions.SectionName);
        services.BindValidated<TelemetryOptions>(configuration, TelemetryOptions.SectionName);
        services.BindValidated<UploadOptions>(configuration, UploadOptions.SectionName);

        services.AddLodeDatabase();
        services.AddLodeStorage();
        services.AddSentenceEmbeddings(configuration.GetSection(EmbeddingOptions.SectionName));
        services.AddLodeEgress();
        services.AddLodeIdentity();
        services.AddLodeAccess();
        services.AddTokenAwareChunker(configuration.GetSection("Chunking"));
        services.BindValidated<OcrOptions>(configuration, OcrOptions.SectionName);
        // Before ingestion's hosted services: no job is taken by a process that cannot read its scans.
        services.AddHostedService<OcrStartupCheck>();
        services.AddLodeIngestion();
        services.BindValidated<ChatSettings>(configuration, ChatSettings.SectionName);
        services.AddLodeLanguageModel(configuration.GetSection(LlmOptions.SectionName));
        // Questions and document passages go to the LLM server: it must be on the premises.
        services.AddRemoteEndpointCheck(new RemoteEndpointSetting<LlmOptions>("Llm:Endpoint", o => o.Endpoint));
        services.AddLodeChat();
        services.BindValidated<TeamsOptions>(configuration, TeamsOptions.SectionName);
        services.AddLodeTeams();
        services.AddLodeRetrieval(configuration.GetSection(RetrievalOptions.SectionName));
        services.AddLodeAudit();
        services.AddSingleton<ApiCallers>();
        services.AddSingleton<FunctionPipeline>();
        services.AddSingleton<IFailureCodes, ApiFailureCodes>();
        services.AddSingleton<ChatStreaming>();
        services.AddSingleton<WebAssets>();
        services.AddOidcBearer();
        services.AddForwardedClientAddress(configuration);
        services.AddLodeTelemetry(configuration);
        // Spans and logs name buckets and keys: the collector must be on the premises too.
        services.AddRemoteEndpointCheck<TelemetryOptions>([
            new("Telemetry:OtlpEndpoint", o => o.OtlpEndpoint),
            .. TelemetryRegistration.OtlpEndpointVariables.Select(name => new RemoteEndpointSetting<TelemetryOptions>(name, _ => configuration[name])),
        ]);

        // GET api/health reports every check registered here.
        services.AddSingleton<SharedHealthReport>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<ObjectStoreHealthCheck>("objectStore")
            .AddCheck<EmbedderHealthCheck>("embedder")
            .AddCheck<LanguageModelHealthCheck>("llm")
            .AddCheck<AccessRulesHealthCheck>("accessRules")
            .AddCheck<OcrHealthCheck>("ocr");
        return services;
    }

    private static void BindValidated<TOptions>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();
}
