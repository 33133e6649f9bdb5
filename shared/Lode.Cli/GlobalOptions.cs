using System.CommandLine;

namespace Lode.Cli;

/// <summary>The options every command takes: where the app is and which key to send.</summary>
public sealed class GlobalOptions
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public Option<string> Url { get; } = new("--url")
    {
        Description = $"The app's address (env LODE_URL, default {DefaultUrl})",
        Recursive = true,
        DefaultValueFactory = _ => EnvironmentOr("LODE_URL", DefaultUrl),
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        // No DefaultValueFactory: help would print the default, and the key is a secret; the variable is read in CreateApi.
        Description = "The API key sent as a bearer token (env LODE_API_KEY)",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Url);
        root.Options.Add(ApiKey);
    }

    public LodeApi CreateApi(ParseResult parse)
    {
        var url = parse.GetValue(Url)!;
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var address)
            || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            throw new CliFailure($"--url must be an http or https address, not '{url}'.");
        return LodeApi.Create(address, parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable("LODE_API_KEY"));
    }

    public static string EnvironmentOr(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
}
