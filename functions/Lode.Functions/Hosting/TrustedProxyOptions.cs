using System.Net;

namespace Lode.Functions.Hosting;

/// <summary>
/// Configuration section <c>Security:ForwardedHeaders</c>: the reverse proxies whose <c>X-Forwarded-For</c> the app
/// believes. Nothing is trusted by default, so a client that sends the header itself changes nothing. Behind a proxy,
/// list it, or every client shares the proxy's address (and its failed-authentication budget).
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string SectionName = "Security:ForwardedHeaders";

    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.5</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form, e.g. <c>10.42.0.0/16</c> (an ingress controller's pods).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>The entries that do not parse, each named by its key, for start-up validation.</summary>
    public IEnumerable<string> Errors()
    {
        for (var i = 0; i < KnownProxies.Count; i++)
            if (!IPAddress.TryParse(KnownProxies[i].Trim(), out _))
                yield return $"{SectionName}:KnownProxies:{i} '{KnownProxies[i]}' is not an IP address.";
        for (var i = 0; i < KnownNetworks.Count; i++)
            if (!IPNetwork.TryParse(KnownNetworks[i].Trim(), out _))
                yield return $"{SectionName}:KnownNetworks:{i} '{KnownNetworks[i]}' is not a network in CIDR form (address/prefix).";
    }
}
