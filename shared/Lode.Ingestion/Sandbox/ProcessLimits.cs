using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Lode.Ingestion.Sandbox;

/// <summary>
/// Moves a running child's soft CPU limit (prlimit(2)) before each document, so that every document gets the same
/// budget however much the child has used before. The hard limit, set at start, cannot be raised by an unprivileged
/// process; the soft limit may move up to it.
/// </summary>
internal static class ProcessLimits
{
    private const int RlimitCpu = 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    // DllImport rather than LibraryImport: blittable arguments need no generated marshalling, and no unsafe code.
    [DllImport("libc", SetLastError = true)]
    private static extern int prlimit(int pid, int resource, ref Rlimit newLimit, out Rlimit oldLimit);

    [DllImport("libc", SetLastError = true)]
    private static extern int prlimit(int pid, int resource, IntPtr newLimit, out Rlimit oldLimit);

    /// <summary>The child may use <paramref name="totalSeconds"/> CPU seconds in all; past them it gets SIGXCPU.</summary>
    public static void SetCpuSoftLimit(int pid, long totalSeconds)
    {
        if (prlimit(pid, RlimitCpu, IntPtr.Zero, out var current) != 0) throw new Win32Exception(Marshal.GetLastPInvokeError());
        var limit = new Rlimit { Current = Math.Min((ulong)totalSeconds, current.Maximum), Maximum = current.Maximum };
        if (prlimit(pid, RlimitCpu, ref limit, out _) != 0) throw new Win32Exception(Marshal.GetLastPInvokeError());
    }
}
