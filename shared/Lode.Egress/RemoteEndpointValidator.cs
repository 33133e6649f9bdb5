using Microsoft.Extensions.Options;

namespace Lode.Egress;

/// <summary>A setting of <typeparamref name="TOptions"/> that holds the URL of a remote endpoint Lode will contact.</summary>
/// <param name="Setting">Its configuration key, for the start-up error (e.g. <c>Llm:Endpoint</c>).</param>
public sealed record RemoteEndpointSetting<TOptions>(string Setting, Func<TOptions, string?> Url);

/// <summary>
/// Start-up validation that every remote endpoint of <typeparamref name="TOptions"/> is on
/// <see cref="EgressOptions.AllowedRemoteHosts"/>; the error names the setting and the host.
/// </summary>
public sealed class RemoteEndpointValidator<TOptions>(RemoteHostAllowlist allowlist, IReadOnlyList<RemoteEndpointSetting<TOptions>> endpoints)
    : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var refusals = endpoints
            .Select(e => allowlist.Refusal(e.Setting, e.Url(options)))
            .OfType<string>()
            .ToList();
        return refusals.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(refusals);
    }
}
