using Dropout.Samples.CommandLine;
using Dropout.Samples.Reporting;
using Dropout.Samples.Training;

// The console front end of the experiment: parse options, train with a live progress line, print the tables, write
// the files. All computation lives in Experiment, which the tests call directly.
CommandLineOptions options;
try
{
    options = CommandLineOptions.Parse(args);
}
catch (CommandLineException exception)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    Console.Error.WriteLine("Run with --help for the options.");
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(CommandLineOptions.Usage);
    return 0;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, eventArgs) =>
{
    eventArgs.Cancel = true;
    cancellation.Cancel();
};

ExperimentResult result;
try
{
    var progress = new ConsoleProgress(Console.Out, isTerminal: !Console.IsOutputRedirected);
    result = new Experiment(options.Settings).Run(progress, cancellation.Token);
}
catch (Exception exception) when (exception is InvalidDataException or FileNotFoundException or ArgumentException)
{
    Console.Error.WriteLine($"error: {exception.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine("Cancelled.");
    return 130;
}

Console.WriteLine();
ResultTable.Write(Console.Out, result);
Console.WriteLine();
foreach (string path in ResultFiles.Write(options.OutputDirectory, result))
{
    Console.WriteLine($"wrote {Path.GetFullPath(path)}");
}

return 0;
