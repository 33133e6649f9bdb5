using System.CommandLine;

namespace Lode.Cli;

/// <summary>The <c>--interval</c> of the commands that poll the app (follow a reindex, wait for uploads, tail failures).</summary>
public static class PollInterval
{
    public static Option<double> CreateOption() => new("--interval")
    {
        Description = "Seconds between polls (default 1)",
        DefaultValueFactory = _ => 1,
    };

    public static TimeSpan From(ParseResult parse, Option<double> option) =>
        TimeSpan.FromSeconds(Math.Clamp(parse.GetValue(option), 0.1, 3600));
}
