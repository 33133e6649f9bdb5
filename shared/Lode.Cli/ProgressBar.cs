namespace Lode.Cli;

/// <summary>A text progress bar that reads the same in a terminal and in a log: <c>[#########...........]</c>.</summary>
public static class ProgressBar
{
    private const int Width = 20;

    public static string Of(long done, long total)
    {
        var filled = total <= 0 ? Width : (int)(Math.Clamp(done, 0, total) * Width / total);
        return "[" + new string('#', filled) + new string('.', Width - filled) + "]";
    }
}
