using System.Net;
using System.Net.Sockets;

namespace Lode.Tests.Support;

public static class FreePort
{
    // Ports handed out lie below Linux's default ephemeral range (32768–60999). A port the OS picked (port 0) was free
    // when asked but stays in the ephemeral pool: between the ask and the server's own bind (seconds, while an S3 server
    // starts) an outgoing connection or another listener on port 0 can take it — CI saw "address already in use".
    // Below that range only an explicit bind can take a port, and every explicit bind in the tests comes from here.
    private const int First = 20_000;
    private const int Count = 12_000;
    private static int _next = First + Environment.ProcessId * 97 % Count;
    private static readonly object Gate = new();

    /// <summary>A loopback port free right now and outside the ephemeral range, for a server told its port up front.</summary>
    public static int Next()
    {
        lock (Gate)
        {
            for (var tried = 0; tried < Count; tried++)
            {
                var port = First + (_next++ - First) % Count;
                if (_next >= First + Count) _next = First;
                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    return port;
                }
                catch (SocketException)
                {
                    // In use by something else: try the next one.
                }
            }
            throw new InvalidOperationException($"No free loopback port between {First} and {First + Count}.");
        }
    }
}
