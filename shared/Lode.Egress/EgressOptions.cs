using System.ComponentModel.DataAnnotations;

namespace Lode.Egress;

/// <summary>The egress settings of configuration section <c>Security</c> (where they have always been configured).</summary>
public sealed class EgressOptions : IValidatableObject
{
    public const string SectionName = "Security";

    /// <summary>
    /// Remote hosts Lode may contact (the LLM server, the identity provider): <c>Security:AllowedRemoteHosts:0..n</c>,
    /// each a host name or a CIDR network (see <see cref="RemoteHostAllowlist"/>). Loopback is always allowed; any
    /// other configured endpoint stops the app at start-up.
    /// </summary>
    public List<string> AllowedRemoteHosts { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < AllowedRemoteHosts.Count; i++)
        {
            if (RemoteHostAllowlist.Problem(AllowedRemoteHosts[i]) is { } problem)
                yield return new ValidationResult($"{RemoteHostAllowlist.SettingName}:{i} '{AllowedRemoteHosts[i]}' {problem}", [nameof(AllowedRemoteHosts)]);
        }
    }
}
