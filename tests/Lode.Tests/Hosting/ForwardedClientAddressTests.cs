using System.Net;
using Lode.Functions.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace Lode.Tests.Hosting;

/// <summary>Which peers' X-Forwarded-For the app believes, per hosting mode.</summary>
public sealed class ForwardedClientAddressTests
{
    [Fact]
    public void Standalone_trusts_only_the_configured_proxies_not_the_frameworks_loopback_default()
    {
        var options = new ForwardedHeadersOptions();

        ForwardedClientAddress.Apply(options, new TrustedProxyOptions { KnownProxies = ["10.0.0.5"], KnownNetworks = ["10.42.0.0/16"] }, HostingMode.Standalone);

        Assert.Equal(ForwardedHeaders.XForwardedFor, options.ForwardedHeaders);
        Assert.Equal([IPAddress.Parse("10.0.0.5")], options.KnownProxies);
        Assert.Equal([System.Net.IPNetwork.Parse("10.42.0.0/16")], options.KnownIPNetworks);
    }

    [Fact]
    public void Without_a_trusted_proxy_no_forwarded_header_is_believed()
    {
        // ForwardedHeadersMiddleware trusts every peer when both of its lists are empty; that must not happen here.
        var options = new ForwardedHeadersOptions();

        ForwardedClientAddress.Apply(options, new TrustedProxyOptions(), HostingMode.Standalone);

        Assert.Equal(ForwardedHeaders.None, options.ForwardedHeaders);
    }

    [Fact]
    public void Under_the_Functions_host_its_loopback_hop_is_trusted_as_well()
    {
        // The host proxies every request to the worker over loopback and appends its own peer to X-Forwarded-For.
        var options = new ForwardedHeadersOptions();

        ForwardedClientAddress.Apply(options, new TrustedProxyOptions(), HostingMode.FunctionsHost);

        Assert.Contains(options.KnownIPNetworks, n => n.Contains(IPAddress.Loopback));
        Assert.Contains(IPAddress.IPv6Loopback, options.KnownProxies);
    }
}
