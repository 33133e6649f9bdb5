using Lode.Tests.Hosting;

namespace Lode.Tests.Security;

/// <summary>
/// "Nothing leaves the premises": a configured remote endpoint off the allowlist stops the app at start-up with the
/// setting and the host named; one on it starts. Nothing here contacts any endpoint.
/// </summary>
public sealed class RemoteHostStartupTests
{
    private static readonly string[] OffPremisesLlm =
        ["--Llm:Provider=openai", "--Llm:Endpoint=https://llm.cloud.example/v1", "--Llm:Model=some-model"];

    [Fact]
    public async Task An_llm_endpoint_off_the_allowlist_stops_start_up_naming_the_setting_and_the_host()
    {
        var error = await StartupErrorAsync(OffPremisesLlm);

        Assert.Contains("Llm:Endpoint", error, StringComparison.Ordinal);
        Assert.Contains("'llm.cloud.example'", error, StringComparison.Ordinal);
        Assert.Contains("Security:AllowedRemoteHosts", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_llm_endpoint_on_the_allowlist_starts()
    {
        await using var app = await StandaloneApp.StartAsync([.. OffPremisesLlm, "--Security:AllowedRemoteHosts:0=llm.cloud.example"]);

        Assert.NotNull(app.Client.BaseAddress);
    }

    [Theory]
    [InlineData("JwksUrl", "https://login.cloud.example/keys")]
    [InlineData("Authority", "https://login.cloud.example/realms/lode")]
    public async Task An_identity_provider_off_the_allowlist_stops_start_up_naming_the_setting_and_the_host(string setting, string url)
    {
        var error = await StartupErrorAsync(
            [$"--Security:Oidc:{setting}={url}", "--Security:Oidc:Issuer=https://login.cloud.example", "--Security:Oidc:Audience=lode"]);

        Assert.Contains($"Security:Oidc:{setting}", error, StringComparison.Ordinal);
        Assert.Contains("'login.cloud.example'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Telemetry:OtlpEndpoint", "http://otel.cloud.example:4318")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel.cloud.example:4317")]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://otel.cloud.example:4318/v1/traces")]
    public async Task A_telemetry_collector_off_the_allowlist_stops_start_up_naming_the_setting_and_the_host(string setting, string url)
    {
        var error = await StartupErrorAsync([$"--{setting}={url}"]);

        Assert.Contains(setting, error, StringComparison.Ordinal);
        Assert.Contains("'otel.cloud.example'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_allowlist_entry_stops_start_up_naming_it()
    {
        var error = await StartupErrorAsync(["--Security:AllowedRemoteHosts:0=10.0.0.0/33"]);

        Assert.Contains("Security:AllowedRemoteHosts:0", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Issuer", "--Security:Oidc:Audience=lode")]
    [InlineData("Audience", "--Security:Oidc:Issuer=https://idp.corp.example")]
    public async Task OIDC_without_issuer_or_audience_stops_start_up_naming_the_missing_setting(string missing, string given)
    {
        using var provider = new TestIdentityProvider();

        var error = await StartupErrorAsync([given, $"--Security:Oidc:SigningKeys:0={provider.Current.PublicKeyPem}"]);

        Assert.Contains($"Security:Oidc:{missing}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_private_key_among_the_signing_keys_stops_start_up()
    {
        using var provider = new TestIdentityProvider();

        var error = await StartupErrorAsync([
            "--Security:Oidc:Issuer=https://idp.corp.example", "--Security:Oidc:Audience=lode",
            $"--Security:Oidc:SigningKeys:0={provider.Current.Rsa.ExportPkcs8PrivateKeyPem()}",
        ]);

        Assert.Contains("Security:Oidc:SigningKeys:0", error, StringComparison.Ordinal);
        Assert.Contains("private key", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_set_address_over_plain_http_to_another_host_stops_start_up()
    {
        var error = await StartupErrorAsync([
            "--Security:Oidc:Issuer=https://idp.corp.example", "--Security:Oidc:Audience=lode",
            "--Security:Oidc:JwksUrl=http://idp.corp.example/keys", "--Security:Oidc:RequireHttpsMetadata=false",
            "--Security:AllowedRemoteHosts:0=idp.corp.example",
        ]);

        Assert.Contains("Security:Oidc:JwksUrl", error, StringComparison.Ordinal);
        Assert.Contains("https", error, StringComparison.Ordinal);
    }

    private static async Task<string> StartupErrorAsync(string[] args)
    {
        var error = await Record.ExceptionAsync(async () => await (await StandaloneApp.StartAsync(args)).DisposeAsync());
        Assert.NotNull(error);
        // Several failed validations arrive together, as an AggregateException.
        return error is AggregateException all ? string.Join('\n', all.InnerExceptions.Select(e => e.Message)) : error.Message;
    }
}
