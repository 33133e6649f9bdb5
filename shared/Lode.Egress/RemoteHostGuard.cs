using Microsoft.Extensions.Logging;

namespace Lode.Egress;

/// <summary>
/// An HTTP handler that refuses requests to hosts not on <see cref="RemoteHostAllowlist"/>: start-up validation checks
/// the configured URLs, this checks the ones learnt at run time (e.g. the key set address an identity provider's
/// discovery document names). Redirects are not followed, so they cannot lead elsewhere either.
/// </summary>
public sealed class RemoteHostGuard(RemoteHostAllowlist allowlist, ILogger<RemoteHostGuard> logger)
    : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is not { } uri || !allowlist.Allows(uri))
        {
            // Logged here because callers (token validation) may swallow the exception and report only its outcome.
            var host = request.RequestUri?.IdnHost;
            logger.LogWarning("Refused to contact {Host}: it is not on {Setting}", host, RemoteHostAllowlist.SettingName);
            throw new HttpRequestException($"Refused to contact '{host}': it is not on {RemoteHostAllowlist.SettingName}.");
        }
        return base.SendAsync(request, cancellationToken);
    }
}
