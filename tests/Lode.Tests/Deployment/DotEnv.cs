namespace Lode.Tests.Deployment;

/// <summary>
/// A dotenv file as compose (<c>.env</c>) and kustomize's secretGenerator (<c>envs:</c>) read it: <c>NAME=value</c>
/// lines; blank lines and <c># comments</c> ignored; the value is everything after the first <c>=</c>.
/// </summary>
public static class DotEnv
{
    public static IReadOnlyDictionary<string, string> Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var equals = line.IndexOf('=');
            if (equals <= 0) throw new FormatException($"{path}: '{line}' is not NAME=value");
            values[line[..equals]] = line[(equals + 1)..];
        }
        return values;
    }
}
