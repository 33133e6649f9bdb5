using Lode.Egress;

namespace Lode.Tests.Security;

/// <summary>Which hosts Lode may contact: names, networks, loopback, and what a bad entry or setting is told.</summary>
public sealed class RemoteHostAllowlistTests
{
    private static readonly RemoteHostAllowlist Allowlist = RemoteHostAllowlist.Parse(
        ["llm.corp.example", "idp.corp.example.", "10.20.0.0/16", "192.0.2.7", "2001:db8:42::/48"]);

    private static readonly RemoteHostAllowlist Empty = RemoteHostAllowlist.Parse([]);

    [Theory]
    [InlineData("localhost")]
    [InlineData("LOCALHOST")]
    [InlineData("127.0.0.1")]
    [InlineData("127.8.9.10")]
    [InlineData("::1")]
    [InlineData("[::1]")]
    [InlineData("::ffff:127.0.0.1")]
    public void Loopback_is_always_allowed(string host) => Assert.True(Empty.Allows(host));

    [Theory]
    [InlineData("llm.corp.example")]
    [InlineData("LLM.Corp.Example")]
    [InlineData("llm.corp.example.")]
    [InlineData("idp.corp.example")]
    [InlineData("10.20.0.1")]
    [InlineData("10.20.255.254")]
    [InlineData("::ffff:10.20.3.4")]
    [InlineData("192.0.2.7")]
    [InlineData("2001:db8:42:1::5")]
    [InlineData("[2001:db8:42::1]")]
    public void Listed_names_and_addresses_in_listed_networks_are_allowed(string host) => Assert.True(Allowlist.Allows(host));

    [Theory]
    [InlineData("api.openai.com")]
    [InlineData("corp.example")]
    [InlineData("evil.llm.corp.example")]
    [InlineData("llm.corp.example.evil.com")]
    [InlineData("10.21.0.1")]
    [InlineData("192.0.2.8")]
    [InlineData("2001:db8:43::1")]
    [InlineData("localhost.evil.com")]
    public void Anything_else_is_refused(string host) => Assert.False(Allowlist.Allows(host));

    [Fact]
    public void Names_and_networks_never_match_each_other_because_nothing_is_resolved()
    {
        var byName = RemoteHostAllowlist.Parse(["gpu-box"]);
        var byNetwork = RemoteHostAllowlist.Parse(["10.0.0.0/8"]);

        Assert.False(byName.Allows("10.1.2.3"));
        Assert.False(byNetwork.Allows("gpu-box"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.1/8")]
    [InlineData("fe80::/129")]
    [InlineData("http://llm.corp.example")]
    [InlineData("llm corp")]
    [InlineData("*.corp.example")]
    public void A_bad_entry_is_refused_naming_its_index(string entry)
    {
        Assert.NotNull(RemoteHostAllowlist.Problem(entry));
        var error = Assert.Throws<FormatException>(() => RemoteHostAllowlist.Parse(["llm.corp.example", entry]));
        Assert.StartsWith("Security:AllowedRemoteHosts:1 ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refusal_names_the_setting_and_the_host()
    {
        var refusal = Allowlist.Refusal("Llm:Endpoint", "https://api.openai.com/v1");

        Assert.NotNull(refusal);
        Assert.Contains("Llm:Endpoint", refusal, StringComparison.Ordinal);
        Assert.Contains("'api.openai.com'", refusal, StringComparison.Ordinal);
        Assert.Contains("Security:AllowedRemoteHosts", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://llm.corp.example:8000/v1")]
    [InlineData("https://10.20.1.1/jwks")]
    [InlineData("http://[::1]:8080/v1")]
    [InlineData("http://localhost:11434/v1")]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a url")]
    public void Allowed_or_absent_or_unparseable_endpoints_are_no_refusal_here(string? url) =>
        Assert.Null(Allowlist.Refusal("Llm:Endpoint", url));
}
