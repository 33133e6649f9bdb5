using Lode.Benchmarks;

// Console benchmarks (not tests): run with `dotnet run -c Release --project tests/Lode.Benchmarks -- <command> ...`.
return args switch
{
    ["pdf", var folder, .. var rest] => await PdfBenchmark.RunAsync(folder, rest),
    ["extract", var file, .. var rest] => ExtractCommand.Run(file, rest.FirstOrDefault()),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine(
        """
        Usage:
          Lode.Benchmarks pdf <folder-of-pdfs> [--runs N] [--out table.md]
              Times PdfTextExtractor and pdftotext (poppler-utils) on every PDF in the folder, in the same run,
              and prints a markdown table: pages, seconds, pages/s, speed ratio, word agreement.
          Lode.Benchmarks extract <file> [content-type]
              Prints what the extractor chosen for the file produces, page by page.
        """);
    return 2;
}
