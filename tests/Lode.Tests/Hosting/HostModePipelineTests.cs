using System.Net;
using Lode.Functions;
using Lode.Functions.Hosting;
using Lode.Functions.Invocation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Hosting;

/// <summary>
/// The route walk on the Functions-host code path (no host can run here): the host middleware finds each function's
/// policy by name in <see cref="FunctionPolicies"/> and runs the same <see cref="FunctionPipeline"/> as standalone mode.
/// Every function but the public ones and Teams (whose signature covers the body, so its handler checks it) is refused
/// with 401 before it runs, whatever wrong credentials come.
/// </summary>
public sealed class HostModePipelineTests(StandaloneAppFixture fixture) : IClassFixture<StandaloneAppFixture>
{
    private static readonly FunctionPolicies HostPolicies = FunctionPolicies.Discover(typeof(LodeApp).Assembly);

    public static TheoryData<string> HttpFunctionNames()
    {
        var data = new TheoryData<string>();
        foreach (var function in Catalog().Http) data.Add(function.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(HttpFunctionNames))]
    public void Host_mode_applies_the_policy_standalone_mode_applies(string functionName) =>
        Assert.Equal(Catalog().Http.Single(f => f.Name == functionName).Policy, HostPolicies.For(functionName));

    [Theory]
    [MemberData(nameof(HttpFunctionNames))]
    public async Task Host_mode_refuses_callers_without_valid_credentials_before_the_function_runs(string functionName)
    {
        var policy = HostPolicies.For(functionName);
        if (policy.Access is AllowedCallers.Anyone or AllowedCallers.TeamsSignature) return;

        foreach (var credentials in new[] { null, "Bearer wrong-key-that-is-long-enough", "Basic dXNlcjpwYXNz" })
        {
            var http = new DefaultHttpContext { RequestServices = fixture.App.Services };
            http.Request.Method = "POST";
            if (credentials is not null) http.Request.Headers.Authorization = credentials;
            http.Response.Body = new MemoryStream();

            var result = await fixture.App.Services.GetRequiredService<FunctionPipeline>().RunAsync(http, policy,
                () => throw new InvalidOperationException($"{functionName} ran for a caller without valid credentials."));
            await Assert.IsAssignableFrom<IActionResult>(result).ExecuteResultAsync(new ActionContext(http, new RouteData(), new ActionDescriptor()));

            Assert.Equal((int)HttpStatusCode.Unauthorized, http.Response.StatusCode);
        }
    }

    [Fact]
    public void A_function_the_host_invokes_without_a_declared_policy_is_refused() =>
        Assert.Throws<InvalidOperationException>(() => HostPolicies.For("NoSuchFunction"));

    private static FunctionCatalog Catalog() =>
        FunctionCatalog.Discover([typeof(LodeApp).Assembly], new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Reconcile:Schedule"] = "0 17 * * * *" }).Build());
}
