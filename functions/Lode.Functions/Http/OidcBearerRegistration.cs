using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lode.Functions.Http;

public static class OidcBearerRegistration
{
    /// <summary>
    /// Registers the JWT bearer scheme, configured from <c>Security:Oidc</c> only. It must never become the default
    /// scheme (ASP.NET Core makes a lone scheme the default, and the authentication middleware it adds by itself
    /// would then run it on every request, API keys included, before the function does): the documented switch
    /// turns that off. This is AddAuthentication() without Data Protection, whose hosted service would create and
    /// store a key ring at start-up that nothing here uses.
    /// </summary>
    public static IServiceCollection AddOidcBearer(this IServiceCollection services)
    {
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthenticationCore();
        services.AddWebEncoders();
        services.TryAddSingleton<IAuthenticationConfigurationProvider, NoSchemeConfiguration>();
        new AuthenticationBuilder(services).AddJwtBearer();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, OidcBearerSetup>();
        return services;
    }

    // The scheme would otherwise also read Authentication:Schemes:Bearer: one place configures it, Security:Oidc.
    private sealed class NoSchemeConfiguration : IAuthenticationConfigurationProvider
    {
        public IConfiguration AuthenticationConfiguration { get; } = new ConfigurationBuilder().Build();
    }
}
