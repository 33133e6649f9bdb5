using System.Text;

namespace Lode.Ingestion.Sandbox;

/// <summary>
/// Drains a child's stderr so the child never blocks on a full pipe, keeping only the last few kilobytes: enough for
/// the runtime's last words ("Stack overflow.", "Out of memory."), never a document's worth. The text is used to name
/// a failure, not logged (it may quote a document).
/// </summary>
internal sealed class StandardErrorTail
{
    private const int KeptBytes = 4_096;

    private readonly byte[] _tail = new byte[KeptBytes];
    private int _length;
    private readonly Task _drain;

    public StandardErrorTail(Stream stderr) => _drain = DrainAsync(stderr);

    /// <summary>The kept text once the stream has ended (or after <paramref name="wait"/>, whatever is kept by then).</summary>
    public async Task<string> CompletedTextAsync(TimeSpan wait)
    {
        await Task.WhenAny(_drain, Task.Delay(wait));
        lock (_tail) return Encoding.UTF8.GetString(_tail, 0, _length);
    }

    private async Task DrainAsync(Stream stderr)
    {
        var buffer = new byte[KeptBytes];
        try
        {
            int read;
            while ((read = await stderr.ReadAsync(buffer)) > 0) Keep(buffer.AsSpan(0, read));
        }
        catch (IOException)
        {
            // The child is gone; what was kept is all there is.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        lock (_tail)
        {
            if (bytes.Length >= KeptBytes)
            {
                bytes[^KeptBytes..].CopyTo(_tail);
                _length = KeptBytes;
                return;
            }
            var overflow = Math.Max(0, _length + bytes.Length - KeptBytes);
            if (overflow > 0)
            {
                Buffer.BlockCopy(_tail, overflow, _tail, 0, _length - overflow);
                _length -= overflow;
            }
            bytes.CopyTo(_tail.AsSpan(_length));
            _length += bytes.Length;
        }
    }
}
