using Microsoft.Extensions.Configuration;

namespace Lode.Functions.Hosting;

public enum HostingMode
{
    /// <summary>Started directly: Kestrel serves the function classes, timers run in-process.</summary>
    Standalone,

    /// <summary>Started by the Azure Functions host as its isolated worker.</summary>
    FunctionsHost,
}

/// <summary>Tells whether the Functions host started this process, the way the worker itself finds its host.</summary>
public static class HostingModeDetector
{
    public const string HostEndpointKey = "Functions:Worker:HostEndpoint";
    public const string NativeHostAppContextKey = "AZURE_FUNCTIONS_NATIVE_HOST";

    // Same switch names the worker maps (Microsoft.Azure.Functions.Worker, WorkerHostBuilderExtensions).
    private static readonly Dictionary<string, string> WorkerSwitchMappings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--functions-uri"] = HostEndpointKey,
        ["--functions-request-id"] = "Functions:Worker:RequestId",
        ["--functions-worker-id"] = "Functions:Worker:WorkerId",
        ["--functions-grpc-max-message-length"] = "Functions:Worker:GrpcMaxMessageLength",
    };

    public static HostingMode Detect(string[] args) => Detect(BuildWorkerConfiguration(args));

    public static HostingMode Detect(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[HostEndpointKey])
        // The placeholder/native host (FunctionsNetHost) loads the app in-process and says so through AppContext.
        || AppContext.GetData(NativeHostAppContextKey) is not null
            ? HostingMode.FunctionsHost
            : HostingMode.Standalone;

    /// <summary>The configuration the worker builds before it looks for its host endpoint.</summary>
    public static IConfiguration BuildWorkerConfiguration(string[] args) =>
        new ConfigurationBuilder()
            .AddEnvironmentVariables("AZURE_FUNCTIONS_")
            .AddEnvironmentVariables()
            .AddCommandLine(args, WorkerSwitchMappings)
            .Build();
}
