using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using IPNetwork = System.Net.IPNetwork;

namespace Lode.Functions.Hosting;

/// <summary>
/// Makes <c>HttpContext.Connection.RemoteIpAddress</c> the client's address, read from <c>X-Forwarded-For</c> through
/// the trusted proxies only (<see cref="TrustedProxyOptions"/>), before anything else in the pipeline runs: the
/// failed-authentication limit counts per client, not per proxy. The middleware walks the header from the right while
/// the hop it came from is trusted (no fixed hop count), so a forged entry to the left of the first untrusted hop is
/// never reached. Only the address is taken; scheme and host headers are not believed.
/// </summary>
public static class ForwardedClientAddress
{
    /// <summary>
    /// Registers the middleware (an <see cref="IStartupFilter"/>, so it runs first in both hosting modes, including the
    /// pipeline the Functions worker builds itself). Under the Functions host (<see cref="FunctionsHostHop"/>
    /// registered) loopback is trusted too: there the peer is always the host, which appends the address of its own
    /// peer to <c>X-Forwarded-For</c>.
    /// </summary>
    public static IServiceCollection AddForwardedClientAddress(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TrustedProxyOptions>()
            .Bind(configuration.GetSection(TrustedProxyOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyValidator>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>, IServiceProvider>((forwarded, trusted, provider) =>
            Apply(forwarded, trusted.Value, provider.GetService<FunctionsHostHop>() is null ? HostingMode.Standalone : HostingMode.FunctionsHost));
        services.AddTransient<IStartupFilter, ForwardedHeadersFirst>();
        return services;
    }

    /// <summary>The middleware's settings for <paramref name="trusted"/> proxies (public for tests).</summary>
    public static void Apply(ForwardedHeadersOptions forwarded, TrustedProxyOptions trusted, HostingMode mode)
    {
        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
        forwarded.ForwardLimit = null;
        // The framework trusts loopback by default; here nothing is trusted unless configured (or the Functions host).
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in trusted.KnownProxies) forwarded.KnownProxies.Add(IPAddress.Parse(proxy.Trim()));
        foreach (var network in trusted.KnownNetworks) forwarded.KnownIPNetworks.Add(IPNetwork.Parse(network.Trim()));
        if (mode == HostingMode.FunctionsHost)
        {
            forwarded.KnownIPNetworks.Add(IPNetwork.Parse("127.0.0.0/8"));
            forwarded.KnownProxies.Add(IPAddress.IPv6Loopback);
        }
        // The middleware believes every peer when both lists are empty: with no trusted proxy, believe no header.
        if (forwarded.KnownProxies.Count == 0 && forwarded.KnownIPNetworks.Count == 0)
            forwarded.ForwardedHeaders = ForwardedHeaders.None;
    }

    private sealed class ForwardedHeadersFirst : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseForwardedHeaders();
            next(app);
        };
    }

    private sealed class TrustedProxyValidator : IValidateOptions<TrustedProxyOptions>
    {
        public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
        {
            var errors = options.Errors().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}

/// <summary>Registered by the Functions worker only: every request reaches the worker through the host on loopback.</summary>
public sealed class FunctionsHostHop;
