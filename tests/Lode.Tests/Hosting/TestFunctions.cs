using System.Collections.Concurrent;
using Lode.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Tests.Hosting;

/// <summary>Test-only functions, discovered from this assembly exactly like the app's own.</summary>
public sealed class TestFunctions
{
    public const string SecretDetail = "connection string Password=hunter2";

    [Function("TestThrows"), CallerAccess(AllowedCallers.Anyone)]
    public IActionResult Throws([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "test/throws")] HttpRequest request) =>
        throw new InvalidOperationException(SecretDetail);

    [Function("TestEcho"), CallerAccess(AllowedCallers.Anyone)]
    public IResult Echo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "test/echo/{number}/{id}/{*rest}")] HttpRequest request,
        int number,
        Guid id,
        string rest,
        CancellationToken cancellationToken) =>
        Results.Json(new { number, id, rest, method = request.Method, cancellable = cancellationToken.CanBeCanceled });

    [Function("TestNotFound"), CallerAccess(AllowedCallers.Anyone)]
    public Task<IActionResult> NotFoundFromFunction([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "test/missing")] HttpRequest request) =>
        Task.FromResult<IActionResult>(new NotFoundResult());
}

/// <summary>Records timer runs; a singleton per app so parallel apps do not see each other's runs.</summary>
public sealed class TimerProbe
{
    public ConcurrentQueue<TimerInfo?> StartupRuns { get; } = new();
    public ConcurrentQueue<TimerInfo?> FastRuns { get; } = new();
}

public sealed class TestTimers(TimerProbe probe)
{
    [Function("TestStartupTimer")]
    public void OnStartup([TimerTrigger("0 0 0 1 1 *", RunOnStartup = true)] TimerInfo timer) =>
        probe.StartupRuns.Enqueue(timer);

    [Function("TestFastTimer")]
    public Task OnSchedule([TimerTrigger("%Tests:FastSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        probe.FastRuns.Enqueue(timer);
        return Task.CompletedTask;
    }
}
