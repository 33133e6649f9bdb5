using System.Text;

namespace Lode.Chat.Models;

/// <summary>
/// Finds stop sequences in streamed text. Text that might be the start of a stop sequence is held back until the
/// next piece decides it, so a stop sequence never reaches the caller, not even split across tokens.
/// </summary>
public sealed class StopSequenceMatcher
{
    private readonly string[] _stops;
    private readonly StringBuilder _pending = new();

    public StopSequenceMatcher(IEnumerable<string>? stopSequences) =>
        _stops = stopSequences?.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).ToArray() ?? [];

    /// <summary>A stop sequence was found: generation should end, nothing after it is emitted.</summary>
    public bool Stopped { get; private set; }

    /// <summary>Adds generated text; returns the text that can be emitted now.</summary>
    public string Append(string text)
    {
        if (Stopped || text.Length == 0)
        {
            return string.Empty;
        }

        if (_stops.Length == 0)
        {
            return text;
        }

        _pending.Append(text);
        var pending = _pending.ToString();
        var stopAt = -1;
        foreach (var stop in _stops)
        {
            var index = pending.IndexOf(stop, StringComparison.Ordinal);
            if (index >= 0 && (stopAt < 0 || index < stopAt))
            {
                stopAt = index;
            }
        }

        if (stopAt >= 0)
        {
            Stopped = true;
            _pending.Clear();
            return pending[..stopAt];
        }

        var keep = LongestSuffixThatStartsAStop(pending);
        _pending.Clear().Append(pending, pending.Length - keep, keep);
        return pending[..^keep];
    }

    /// <summary>Text still held back when generation ends for another reason.</summary>
    public string Flush()
    {
        var rest = Stopped ? string.Empty : _pending.ToString();
        _pending.Clear();
        return rest;
    }

    private int LongestSuffixThatStartsAStop(string text)
    {
        var longest = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, text.Length); length > longest; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }
}
