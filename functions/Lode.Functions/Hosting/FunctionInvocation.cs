using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions.Hosting;

/// <summary>What one standalone invocation can bind parameters from.</summary>
internal sealed record FunctionInvocation(
    IServiceProvider Services,
    HttpContext? Http,
    TimerInfo? Timer,
    CancellationToken Cancellation);

/// <summary>A route value that does not convert to its parameter's type: the caller's mistake, so a 400.</summary>
internal sealed class RouteValueException(string message) : Exception(message);

/// <summary>A function whose signature standalone mode cannot serve; thrown while the app is built.</summary>
public sealed class FunctionSignatureException(string message) : InvalidOperationException(message);
