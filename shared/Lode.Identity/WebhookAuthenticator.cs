using Microsoft.Extensions.Options;

namespace Lode.Identity;

/// <summary>Checks the bearer token of MinIO's webhook. With no token configured every request is refused.</summary>
public sealed class WebhookAuthenticator(IOptions<WebhookOptions> options)
{
    private readonly HashedSecret? _token = string.IsNullOrEmpty(options.Value.Token) ? null : new HashedSecret(options.Value.Token);

    public bool IsAuthorized(string? authorizationHeader) =>
        _token is not null && _token.Matches(BearerToken.From(authorizationHeader));
}
