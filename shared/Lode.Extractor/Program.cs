using Lode.Extractor;

// Anything a library prints must not reach stdout, which carries only protocol frames.
var protocolOut = Console.OpenStandardOutput();
Console.SetOut(Console.Error);
var protocolIn = Console.OpenStandardInput();

var fault = TestFault.FromEnvironment();
return await new ExtractionLoop(protocolIn, protocolOut, fault).RunAsync();
