using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Lode.Identity;

/// <summary>
/// Reads a bare JSON Web Key Set (<see cref="OidcOptions.JwksUrl"/>) as the signing keys of an OpenID configuration, so
/// the standard <see cref="ConfigurationManager{T}"/> caches and refreshes it like discovered metadata: every 12 hours,
/// and at most every 5 minutes when a token names a key it does not know (the provider rotated its keys).
/// </summary>
public sealed class JwksConfigurationRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
{
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        var keySet = new JsonWebKeySet(await retriever.GetDocumentAsync(address, cancel));
        var configuration = new OpenIdConnectConfiguration { JsonWebKeySet = keySet };
        foreach (var key in keySet.GetSigningKeys()) configuration.SigningKeys.Add(key);
        return configuration;
    }

    /// <summary>A configuration manager for the key set at <paramref name="jwksUrl"/>, fetched through <paramref name="http"/>.</summary>
    public static ConfigurationManager<OpenIdConnectConfiguration> Manager(string jwksUrl, HttpClient http, bool requireHttps) =>
        new(jwksUrl, new JwksConfigurationRetriever(), new HttpDocumentRetriever(http) { RequireHttps = requireHttps });
}
