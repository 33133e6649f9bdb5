using Lode.Functions.Hosting;
using Microsoft.Extensions.Configuration;

namespace Lode.Tests.Hosting;

public sealed class HostingModeTests
{
    [Fact]
    public void Host_endpoint_in_configuration_means_functions_host()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Functions:Worker:HostEndpoint"] = "http://127.0.0.1:50051/" })
            .Build();

        Assert.Equal(HostingMode.FunctionsHost, HostingModeDetector.Detect(configuration));
    }

    [Fact]
    public void Functions_uri_argument_from_the_host_means_functions_host()
    {
        string[] args =
        [
            "--host", "127.0.0.1", "--port", "50051", "--workerId", "w", "--requestId", "r",
            "--functions-uri", "http://127.0.0.1:50051/", "--functions-worker-id", "w", "--functions-request-id", "r",
            "--functions-grpc-max-message-length", "2147483647",
        ];

        Assert.Equal(HostingMode.FunctionsHost, HostingModeDetector.Detect(args));
    }

    [Fact]
    public void No_host_endpoint_means_standalone()
    {
        Assert.Equal(HostingMode.Standalone, HostingModeDetector.Detect(new ConfigurationBuilder().Build()));
        Assert.Equal(HostingMode.Standalone, HostingModeDetector.Detect(["--urls", "http://127.0.0.1:0"]));
    }
}
