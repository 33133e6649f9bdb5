using Lode.Egress;
using Lode.Identity;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Functions.Http;

/// <summary>
/// Configures the JWT bearer scheme from <see cref="OidcOptions"/>. <see cref="ApiCallers"/> runs the scheme itself
/// for bearer values shaped like a JWT (it is no default scheme, so no middleware runs it). Every
/// fetch of keys or metadata goes through <see cref="RemoteHostGuard"/>.
/// </summary>
internal sealed class OidcBearerSetup(IOptions<OidcOptions> oidc, RemoteHostAllowlist allowlist, ILogger<RemoteHostGuard> guardLogger)
    : IConfigureNamedOptions<JwtBearerOptions>
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(30);

    public void Configure(string? name, JwtBearerOptions options)
    {
        var settings = oidc.Value;
        if (name != JwtBearerDefaults.AuthenticationScheme || !settings.Enabled) return;

        // Claims keep the names the provider gave them ("groups", "sub"), which is what the settings name.
        options.MapInboundClaims = false;
        options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
        options.TokenValidationParameters = OidcTokenValidation.For(settings);
        options.RefreshOnIssuerKeyNotFound = true;
        var guard = new RemoteHostGuard(allowlist, guardLogger);
        if (!string.IsNullOrWhiteSpace(settings.Authority))
        {
            // Discovery, then the key set it names: both fetched through the scheme's backchannel.
            options.Authority = settings.Authority;
            options.BackchannelHttpHandler = guard;
            options.BackchannelTimeout = FetchTimeout;
        }
        else if (!string.IsNullOrWhiteSpace(settings.JwksUrl))
        {
            options.ConfigurationManager = JwksConfigurationRetriever.Manager(
                settings.JwksUrl, new HttpClient(guard) { Timeout = FetchTimeout }, settings.RequireHttpsMetadata);
        }
    }

    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);
}
