using System.Reflection;
using Lode.Functions.Hosting;
using Lode.Functions.Invocation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Lode.Functions;

/// <summary>
/// Builds the app in one of its two modes. Under the Azure Functions host it is an isolated worker; started
/// directly it is a Kestrel app serving the same [Function] classes (see <see cref="HostingModeDetector"/>).
/// </summary>
public static class LodeApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static Task RunAsync(string[] args) =>
        HostingModeDetector.Detect(args) == HostingMode.FunctionsHost
            ? BuildFunctionsWorker(args).RunAsync()
            : BuildStandalone(args).RunAsync();

    /// <summary>The isolated worker; the host owns routing, timers and function metadata (functions.metadata).</summary>
    public static IHost BuildFunctionsWorker(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        // The same invocation pipeline as standalone mode (access, body, errors), and its binder for Caller and [Body].
        builder.UseMiddleware<HostModePipelineMiddleware>();
        builder.Services.AddSingleton(FunctionPolicies.Discover(typeof(LodeApp).Assembly));
        builder.Services.Configure<WorkerOptions>(options => options.InputConverters.RegisterAt<AdmittedRequestConverter>(0));
        // Host mode only: function invocations join the host's traces, and the host learns that the worker exports its
        // own telemetry. Before AddLode, so that Telemetry:ServiceName is the service name the resource ends up with.
        builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
        builder.Services.AddLode(builder.Configuration);
        builder.Services.AddSingleton<FunctionsHostHop>();
        return builder.Build();
    }

    /// <summary>
    /// The standalone Kestrel app. <paramref name="args"/> are ordinary .NET configuration arguments
    /// (e.g. <c>--urls http://127.0.0.1:0</c>, <c>--Some:Setting=value</c>); <paramref name="overrides"/> runs after
    /// the app's own registration so tests can replace services; <paramref name="functionAssemblies"/> defaults to
    /// this assembly.
    /// </summary>
    public static WebApplication BuildStandalone(
        string[] args,
        Action<IServiceCollection>? overrides = null,
        IEnumerable<Assembly>? functionAssemblies = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // The output folder, not the working directory: `dotnet run` and `dotnet Lode.Functions.dll` from
            // anywhere find appsettings.json and local.settings.json the way the host would.
            ContentRootPath = AppContext.BaseDirectory,
        });
        LocalSettings.AddTo(builder.Configuration, builder.Environment.ContentRootPath);
        if (!HasConfiguredUrls(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var catalog = FunctionCatalog.Discover(functionAssemblies ?? [typeof(LodeApp).Assembly], builder.Configuration);
        builder.Services.AddLode(builder.Configuration);
        builder.Services.AddSingleton(catalog);
        builder.Services.AddHostedService<TimerFunctionScheduler>();
        overrides?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseJsonErrors();
        app.UseRouting();
        app.MapFunctions(catalog);
        return app;
    }

    // The standard ways to choose addresses: Urls / ASPNETCORE_URLS / --urls, or the HTTP(S)_PORTS variables.
    private static bool HasConfiguredUrls(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["urls"])
        || !string.IsNullOrWhiteSpace(configuration["http_ports"])
        || !string.IsNullOrWhiteSpace(configuration["https_ports"]);
}
