using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Lode.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Tests.Hosting;

/// <summary>Every HTTP function the app declares is reachable in standalone mode at its declared route and methods.</summary>
public sealed class FunctionRoutesTests(StandaloneAppFixture fixture) : IClassFixture<StandaloneAppFixture>
{
    public static TheoryData<string> HttpFunctionNames()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _, _) in DeclaredHttpFunctions())
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void The_app_declares_http_functions() =>
        Assert.Contains(DeclaredHttpFunctions(), f => f.Name == "Health");

    [Theory]
    [MemberData(nameof(HttpFunctionNames))]
    public async Task Each_declared_route_and_method_reaches_its_function(string functionName)
    {
        var (_, method, trigger) = DeclaredHttpFunctions().Single(f => f.Name == functionName);
        var path = DummyPath(trigger.Route ?? functionName, method);

        foreach (var httpMethod in trigger.Methods is { Length: > 0 } methods ? methods : ["get"])
        {
            using var request = new HttpRequestMessage(new HttpMethod(httpMethod.ToUpperInvariant()), path);
            if (!HttpMethods.IsGet(request.Method.Method) && !HttpMethods.IsHead(request.Method.Method))
            {
                request.Content = JsonContent.Create(new { });
            }

            using var response = await fixture.App.Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();

            Assert.NotEqual(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.False(IsRouteNotFound(response, body), $"{httpMethod} {path} did not reach {functionName}: {body}");
        }
    }

    [Theory]
    [MemberData(nameof(HttpFunctionNames))]
    // Webhooks (MinIO, Teams) authenticate with their own token or signature, which these requests lack as well.
    public async Task Every_function_but_the_public_ones_refuses_callers_without_valid_credentials(string functionName)
    {
        var (_, method, trigger) = DeclaredHttpFunctions().Single(f => f.Name == functionName);
        var path = DummyPath(trigger.Route ?? functionName, method);

        // A well-formed Teams signature (but not of this body with the configured token), and a JWT-shaped value that is
        // no token this app accepts, whether or not OIDC is configured.
        foreach (var credentials in new[] { null, "Bearer wrong-key-that-is-long-enough", "Basic dXNlcjpwYXNz", WrongTeamsSignature, $"Bearer {JwtShaped}" })
        {
            foreach (var httpMethod in trigger.Methods is { Length: > 0 } methods ? methods : ["get"])
            {
                using var request = new HttpRequestMessage(new HttpMethod(httpMethod.ToUpperInvariant()), path);
                if (credentials is not null) request.Headers.TryAddWithoutValidation("Authorization", credentials);
                if (!HttpMethods.IsGet(request.Method.Method)) request.Content = JsonContent.Create(new { });

                using var response = await fixture.App.Client.SendAsync(request);

                if (PublicFunctions.Contains(functionName)) Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
                else Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }
    }

    // Health holds no data; the web page and its scripts neither: the page asks for a key and sends it to the API.
    private static readonly HashSet<string> PublicFunctions = ["Health", "WebPage", "WebPageAsset"];

    [Fact]
    public void Only_the_health_check_and_the_web_page_are_public() =>
        Assert.Equal(PublicFunctions.Order(), DeclaredHttpFunctions()
            .Where(f => f.Trigger.Route is "api/health" or "" || f.Trigger.Route?.StartsWith("app/", StringComparison.Ordinal) == true)
            .Select(f => f.Name).Order());

    private static readonly string WrongTeamsSignature = "HMAC " + Convert.ToBase64String(new byte[32]);

    public static TheoryData<string> AdminFunctionNames()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _, trigger) in DeclaredHttpFunctions())
        {
            if (trigger.Route?.StartsWith("api/admin/", StringComparison.Ordinal) == true) data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AdminFunctionNames))]
    public async Task Every_admin_function_refuses_valid_callers_outside_the_admin_group(string functionName)
    {
        var (_, method, trigger) = DeclaredHttpFunctions().Single(f => f.Name == functionName);
        var path = DummyPath(trigger.Route!, method);

        foreach (var httpMethod in trigger.Methods is { Length: > 0 } methods ? methods : ["get"])
        {
            using var request = new HttpRequestMessage(new HttpMethod(httpMethod.ToUpperInvariant()), path);
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {StandaloneApp.FixtureApiKey}");
            if (!HttpMethods.IsGet(request.Method.Method)) request.Content = JsonContent.Create(new { });

            using var response = await fixture.App.Client.SendAsync(request);

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    // Header {"alg":"RS256"}, payload {"sub":"x"}, a made-up signature.
    private const string JwtShaped = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

    private static bool IsRouteNotFound(HttpResponseMessage response, string body) =>
        response.StatusCode == HttpStatusCode.NotFound
        && body.Contains("\"route_not_found\"", StringComparison.Ordinal);

    // Independent of the app's own discovery: plain reflection over the functions assembly.
    private static IEnumerable<(string Name, MethodInfo Method, HttpTriggerAttribute Trigger)> DeclaredHttpFunctions() =>
        from type in typeof(LodeApp).Assembly.GetExportedTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
        let function = method.GetCustomAttribute<FunctionAttribute>()
        let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)
        where function is not null && trigger is not null
        select (function.Name, method, trigger);

    /// <summary>The route with each parameter replaced by a value of the bound parameter's type.</summary>
    private static string DummyPath(string route, MethodInfo method)
    {
        var pattern = RoutePatternFactory.Parse(route);
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart parameter => DummyValue(parameter, method),
            _ => throw new NotSupportedException(part.GetType().Name),
        })));
        return "/" + string.Join('/', segments);
    }

    private static string DummyValue(RoutePatternParameterPart parameter, MethodInfo method)
    {
        var type = method.GetParameters()
            .FirstOrDefault(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase))?.ParameterType;
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(int) || type == typeof(long) ? "1"
            : type == typeof(Guid) ? Guid.NewGuid().ToString()
            : type == typeof(bool) ? "true"
            : parameter.IsCatchAll ? "dummy/folder/file.txt"
            : "dummy";
    }
}

public sealed class StandaloneHttpTests(StandaloneAppFixture fixture) : IClassFixture<StandaloneAppFixture>
{
    private HttpClient Client => fixture.App.Client;

    [Fact]
    public async Task Health_answers_200_json_with_checks_to_an_admin()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health")
        {
            Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", StandaloneApp.FixtureAdminApiKey) },
        };
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("checks").ValueKind);
    }

    [Fact]
    public async Task Unknown_route_is_404_json_error()
    {
        using var response = await Client.GetAsync("/api/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal("route_not_found", error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public async Task Wrong_method_is_405_json_error()
    {
        using var response = await Client.DeleteAsync("/api/health");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("method_not_allowed", (await ErrorOf(response)).Code);
    }

    [Fact]
    public async Task No_api_prefix_is_added_to_routes()
    {
        using var response = await Client.GetAsync("/api/api/health");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Function_that_throws_is_500_json_without_details_and_is_logged()
    {
        using var response = await Client.GetAsync("/test/throws");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("internal_error", (await ErrorOf(response)).Code);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
        Assert.Contains(fixture.App.Logs.Entries, e =>
            e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Exception?.Message == TestFunctions.SecretDetail);
    }

    [Fact]
    public async Task Function_404_is_json_and_distinct_from_route_not_found()
    {
        using var response = await Client.GetAsync("/test/missing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not_found", (await ErrorOf(response)).Code);
    }

    [Fact]
    public async Task Route_values_bind_by_name_and_type()
    {
        var id = Guid.NewGuid();
        using var response = await Client.PostAsync($"/test/echo/42/{id}/a/b%20c.txt", JsonContent.Create(new { }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(42, body.RootElement.GetProperty("number").GetInt32());
        Assert.Equal(id, body.RootElement.GetProperty("id").GetGuid());
        Assert.Equal("a/b c.txt", body.RootElement.GetProperty("rest").GetString());
        Assert.Equal("POST", body.RootElement.GetProperty("method").GetString());
        Assert.True(body.RootElement.GetProperty("cancellable").GetBoolean());
    }

    [Fact]
    public async Task Unconvertible_route_value_is_400_json_error()
    {
        using var response = await Client.GetAsync($"/test/echo/not-a-number/{Guid.NewGuid()}/x");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_route_value", (await ErrorOf(response)).Code);
    }

    internal static async Task<(string Code, string Message)> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error");
        return (error.GetProperty("code").GetString()!, error.GetProperty("message").GetString()!);
    }
}
