using System.Net;
using System.Net.Sockets;

namespace Lode.Tests.Support;

public static class FreePort
{
    /// <summary>A loopback port free right now (the OS picks it), for a server that must be told its port up front.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
