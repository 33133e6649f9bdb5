using Lode.Cli;

// System.CommandLine turns Ctrl+C and SIGTERM into cancellation of the running command (a follow loop, a stream).
return await LodeCommandLine.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
