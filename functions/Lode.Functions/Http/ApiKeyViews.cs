using Lode.Database;
using Lode.Security;

namespace Lode.Functions.Http;

/// <summary>An API key as the admin API lists it: never the key, never its hash.</summary>
public sealed record ApiKeyView(
    Guid Id,
    string Name,
    IReadOnlyList<string> Groups,
    DateTimeOffset CreatedAt,
    string? CreatedBy,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt)
{
    public static ApiKeyView From(ApiKeyRecord k) => new(k.Id, k.Name, k.Groups, k.CreatedAt, k.CreatedBy, k.ExpiresAt, k.RevokedAt);
}

public sealed record ApiKeyList(IReadOnlyList<ApiKeyView> Keys);

/// <summary>The answer to creating a key: the only time <see cref="Key"/> is ever shown.</summary>
public sealed record CreatedApiKeyView(Guid Id, string Name, string Key, IReadOnlyList<string> Groups, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt)
{
    public static CreatedApiKeyView From(CreatedApiKey created) => new(created.Record.Id, created.Record.Name, created.Key,
        created.Record.Groups, created.Record.ExpiresAt, created.Record.CreatedAt);
}
