// One executable, two modes: the Functions host's isolated worker, or a standalone Kestrel app (LodeApp).
await Lode.Functions.LodeApp.RunAsync(args);
