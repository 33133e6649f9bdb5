using System.Net;

namespace Lode.Egress;

/// <summary>
/// The hosts Lode may talk to besides its own data stores (<c>Security:AllowedRemoteHosts</c>), so that nothing
/// leaves the premises by a mistyped or malicious setting. An entry is a host name, matched exactly and
/// case-insensitively, or an IPv4/IPv6 address or CIDR network, matched against IP literals. There is no DNS lookup:
/// a name entry never matches an address and a network never matches a name, because what a name resolves to may
/// change after start-up. Loopback (<c>localhost</c>, 127.0.0.0/8, ::1) is always allowed.
/// </summary>
public sealed class RemoteHostAllowlist
{
    public const string SettingName = "Security:AllowedRemoteHosts";

    private readonly HashSet<string> _names;
    private readonly IReadOnlyList<IPNetwork> _networks;

    private RemoteHostAllowlist(HashSet<string> names, IReadOnlyList<IPNetwork> networks) => (_names, _networks) = (names, networks);

    /// <summary>Parses the configured entries; throws <see cref="FormatException"/> naming the first bad one.</summary>
    public static RemoteHostAllowlist Parse(IReadOnlyList<string> entries)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var networks = new List<IPNetwork>();
        for (var i = 0; i < entries.Count; i++)
        {
            if (Problem(entries[i]) is { } problem) throw new FormatException($"{SettingName}:{i} '{entries[i]}' {problem}");
            var entry = entries[i].Trim();
            if (TryParseNetwork(entry, out var network)) networks.Add(network);
            else names.Add(WithoutTrailingDot(entry));
        }
        return new RemoteHostAllowlist(names, networks);
    }

    /// <summary>Why <paramref name="entry"/> is not a valid entry, or null when it is.</summary>
    public static string? Problem(string? entry)
    {
        var trimmed = entry?.Trim();
        if (string.IsNullOrEmpty(trimmed)) return "is empty: give a host name or a CIDR network.";
        if (TryParseNetwork(trimmed, out _)) return null;
        if (trimmed.Contains('/', StringComparison.Ordinal))
            return "is not a CIDR network (address/prefix length, with no bits set after the prefix, e.g. 10.20.0.0/16).";
        return Uri.CheckHostName(WithoutTrailingDot(trimmed)) == UriHostNameType.Dns
            ? null
            : "is neither a host name nor an IP address or CIDR network.";
    }

    /// <summary>Whether the host of <paramref name="url"/> may be contacted.</summary>
    public bool Allows(Uri url) => Allows(url.IdnHost);

    /// <summary>Whether <paramref name="host"/> (a name or an IP literal, IPv6 with or without brackets) may be contacted.</summary>
    public bool Allows(string host)
    {
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (IPAddress.TryParse(bare, out var address))
        {
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            return IPAddress.IsLoopback(address) || _networks.Any(n => n.Contains(address));
        }
        var name = WithoutTrailingDot(bare);
        return string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase) || _names.Contains(name);
    }

    /// <summary>
    /// The start-up error for a setting whose URL points at a host not on the list; null when the host is allowed or
    /// <paramref name="url"/> is not an absolute URL with a host (its own validation reports that).
    /// </summary>
    public string? Refusal(string setting, string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var parsed) || parsed.IdnHost.Length == 0)
            return null;
        return Allows(parsed)
            ? null
            : $"{setting} points at host '{parsed.IdnHost}', which is not on {SettingName}. Lode only talks to hosts on " +
              $"the premises: add the host (or its network) to {SettingName} if it is one of yours.";
    }

    private static bool TryParseNetwork(string entry, out IPNetwork network)
    {
        if (IPAddress.TryParse(entry, out var single) && !entry.Contains('/', StringComparison.Ordinal))
        {
            network = new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        // "10.0.0.1/8" is refused rather than read as 10.0.0.0/8: it may have meant the one host, or a typo.
        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        return IPNetwork.TryParse(entry, out network)
            && IPAddress.TryParse(entry.AsSpan(0, slash), out var written)
            && written.Equals(network.BaseAddress);
    }

    private static string WithoutTrailingDot(string name) => name.EndsWith('.') ? name[..^1] : name;
}
