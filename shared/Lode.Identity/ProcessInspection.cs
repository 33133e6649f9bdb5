using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Lode.Identity;

/// <summary>
/// Whether other processes of the app's own user may look inside it. By default Linux lets any process of the same
/// user read <c>/proc/&lt;pid&gt;/environ</c> (the database and store credentials), <c>mem</c> and <c>fd</c>, and
/// ptrace it — including the sandboxed extractor child, which runs untrusted document parsers as the app's user.
/// <c>prctl(PR_SET_DUMPABLE, 0)</c> makes the kernel refuse all of that to anyone without <c>CAP_SYS_PTRACE</c>, and
/// stops core dumps of the app. A child does not inherit it (exec makes a process dumpable again), so it protects the
/// app from its children, not the children from each other.
/// </summary>
public static class ProcessInspection
{
    private const int PrGetDumpable = 3;
    private const int PrSetDumpable = 4;

    // prctl(2) is variadic; on Linux x64 and arm64 the unused arguments travel in registers like named ones.
    [DllImport("libc", SetLastError = true)]
    private static extern int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>Refuses every other process (without CAP_SYS_PTRACE) access to this one's memory, environment and
    /// descriptors. Does nothing on systems other than Linux, which have no <c>/proc/&lt;pid&gt;/environ</c>.</summary>
    public static void Forbid()
    {
        if (!OperatingSystem.IsLinux()) return;
        if (prctl(PrSetDumpable, 0, 0, 0, 0) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "prctl(PR_SET_DUMPABLE, 0) failed");
        }
    }

    /// <summary>Whether other processes of the same user may inspect this one (always true off Linux).</summary>
    public static bool Allowed => !OperatingSystem.IsLinux() || prctl(PrGetDumpable, 0, 0, 0, 0) != 0;
}
