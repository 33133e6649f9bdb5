using Lode.Functions;
using Lode.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Lode.Tests.Hosting;

/// <summary>Signatures standalone mode cannot serve stop the app at startup, with the method named.</summary>
public sealed class FunctionDiscoveryTests
{
    private static readonly IConfiguration NoSettings = new ConfigurationBuilder().Build();

    [Fact]
    public void The_app_functions_are_all_servable_with_the_settings_the_app_ships()
    {
        // The app's appsettings.json (copied beside the tests) gives timer schedules their defaults.
        var shipped = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false)
            .Build();

        var catalog = FunctionCatalog.Discover([typeof(LodeApp).Assembly], shipped);

        var health = Assert.Single(catalog.Http, f => f.Name == "Health");
        Assert.Equal("api/health", health.Route.RawText);
        Assert.Equal(["GET"], health.HttpMethods);
        var reconcile = Assert.Single(catalog.Timers, t => t.Name == "ReconcileTimer");
        Assert.Equal("0 17 * * * *", reconcile.Schedule.Expression);
    }

    [Theory]
    [InlineData(typeof(InvalidFunctions.TakesFunctionContext), "FunctionContext")]
    [InlineData(typeof(InvalidFunctions.TakesLogger), "ILogger<T>")]
    [InlineData(typeof(InvalidFunctions.TakesUnknownValue), "not a route parameter")]
    [InlineData(typeof(InvalidFunctions.UsesFunctionKeys), "AuthorizationLevel.Anonymous")]
    [InlineData(typeof(InvalidFunctions.ReturnsString), "returns IActionResult or IResult")]
    [InlineData(typeof(InvalidFunctions.TimerWithMissingSetting), "Lode:NoSuchSchedule")]
    [InlineData(typeof(InvalidFunctions.TimerWithBadCron), "six-field cron")]
    [InlineData(typeof(InvalidFunctions.DeclaresNoAccess), "[CallerAccess(Access....)]")]
    [InlineData(typeof(InvalidFunctions.BodyWithoutLimit), "[MaxBody(bytes)]")]
    [InlineData(typeof(InvalidFunctions.CallerOfPublicFunction), "a Caller parameter needs")]
    public void Unsupported_signature_is_a_startup_error_naming_the_method(Type functionType, string reason)
    {
        var error = Assert.Throws<FunctionSignatureException>(() => FunctionCatalog.Discover([functionType], NoSettings));

        Assert.Contains($"{functionType.FullName}.Run", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_route_is_a_startup_error()
    {
        var error = Assert.Throws<FunctionSignatureException>(() =>
            FunctionCatalog.Discover([typeof(InvalidFunctions.HealthAgain), typeof(Health)], NoSettings));

        Assert.Contains("GET api/health", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timer_schedule_setting_is_resolved_from_configuration()
    {
        var settings = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Lode:NoSuchSchedule"] = "0 */5 * * * *" })
            .Build();

        var timer = Assert.Single(FunctionCatalog.Discover([typeof(InvalidFunctions.TimerWithMissingSetting)], settings).Timers);

        Assert.Equal("0 */5 * * * *", timer.Schedule.Expression);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 5, 0, TimeSpan.Zero),
            timer.Schedule.NextAfter(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }
}

// Internal, so scanning this assembly (as the standalone tests do) never finds them; the tests pass them explicitly.
internal static class InvalidFunctions
{
    public sealed class TakesFunctionContext
    {
        [Function("TakesFunctionContext")]
        public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "x")] HttpRequest request, FunctionContext context) =>
            new OkResult();
    }

    public sealed class TakesLogger
    {
        [Function("TakesLogger")]
        public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "x")] HttpRequest request, ILogger log) =>
            new OkResult();
    }

    public sealed class TakesUnknownValue
    {
        [Function("TakesUnknownValue")]
        public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "x/{id}")] HttpRequest request, string name) =>
            new OkResult();
    }

    public sealed class UsesFunctionKeys
    {
        [Function("UsesFunctionKeys")]
        public IActionResult Run([HttpTrigger(AuthorizationLevel.Function, "get", Route = "x")] HttpRequest request) => new OkResult();
    }

    public sealed class ReturnsString
    {
        [Function("ReturnsString")]
        public string Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "x")] HttpRequest request) => "hello";
    }

    public sealed class TimerWithMissingSetting
    {
        [Function("TimerWithMissingSetting")]
        public void Run([TimerTrigger("%Lode:NoSuchSchedule%")] TimerInfo timer)
        {
        }
    }

    public sealed class TimerWithBadCron
    {
        [Function("TimerWithBadCron")]
        public void Run([TimerTrigger("*/5 * * * *")] TimerInfo timer)
        {
        }
    }

    public sealed class DeclaresNoAccess
    {
        [Function("DeclaresNoAccess")]
        public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "x")] HttpRequest request) => new OkResult();
    }

    public sealed class BodyWithoutLimit
    {
        [Function("BodyWithoutLimit"), CallerAccess(AllowedCallers.Anyone)]
        public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "x")] HttpRequest request, [Body] Payload body) =>
            new OkResult();
    }

    public sealed class CallerOfPublicFunction
    {
        [Function("CallerOfPublicFunction"), CallerAccess(AllowedCallers.Anyone)]
        public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "x")] HttpRequest request, Lode.Identity.Caller caller) =>
            new OkResult();
    }

    public sealed record Payload(string? Text);

    public sealed class HealthAgain
    {
        [Function("HealthAgain"), CallerAccess(AllowedCallers.Anyone)]
        public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "/api/health/")] HttpRequest request) =>
            new OkResult();
    }
}
