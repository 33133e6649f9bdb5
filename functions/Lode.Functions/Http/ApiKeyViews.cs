using Lode.Database;
using Lode.Identity;

namespace Lode.Functions.Http;

/// <summary>The admin API's list of keys: <see cref="ApiKeyRecord"/> carries neither a key nor its hash.</summary>
public sealed record ApiKeyList(IReadOnlyList<ApiKeyRecord> Keys);

/// <summary>The answer to creating a key: the only time <see cref="Key"/> is ever shown.</summary>
public sealed record CreatedApiKeyView(Guid Id, string Name, string Key, IReadOnlyList<string> Groups, DateTimeOffset? ExpiresAt, DateTimeOffset CreatedAt)
{
    public static CreatedApiKeyView From(CreatedApiKey created) => new(created.Record.Id, created.Record.Name, created.Key,
        created.Record.Groups, created.Record.ExpiresAt, created.Record.CreatedAt);
}
