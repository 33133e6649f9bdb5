using Lode.Extraction.Protocol;
using Lode.Extractor;

// Anything a library prints must not reach stdout, which carries only protocol frames.
var protocolOut = Console.OpenStandardOutput();
Console.SetOut(Console.Error);
var protocolIn = Console.OpenStandardInput();

var fault = TestFault.FromEnvironment();
await protocolOut.WriteAsync(ExtractionProtocol.Greeting());
await protocolOut.FlushAsync();
return await new ExtractionLoop(protocolIn, protocolOut, fault).RunAsync();
