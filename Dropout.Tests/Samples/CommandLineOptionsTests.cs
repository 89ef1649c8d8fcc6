using Dropout.Samples.CommandLine;

namespace Dropout.Tests.Samples;

public sealed class CommandLineOptionsTests
{
    [Fact]
    public void Parse_EveryOption_SetsItsSetting()
    {
        CommandLineOptions options = CommandLineOptions.Parse(
            ["--epochs", "7", "--seeds=4", "--hidden", "128", "--train-size", "500", "--mc-samples", "9", "--output", "out dir"]);

        Assert.False(options.ShowHelp);
        Assert.Equal(7, options.Settings.Epochs);
        Assert.Equal(4, options.Settings.Seeds);
        Assert.Equal(128, options.Settings.HiddenSize);
        Assert.Equal(500, options.Settings.TrainingSize);
        Assert.Equal(9, options.Settings.MonteCarloSamples);
        Assert.Equal("out dir", options.OutputDirectory);
    }

    [Fact]
    public void Parse_Help_AsksForHelp()
    {
        Assert.True(CommandLineOptions.Parse(["--epochs", "3", "--help"]).ShowHelp);
        Assert.Contains("--train-size", CommandLineOptions.Usage);
    }

    [Theory]
    [InlineData("--epochs 0", "--epochs must be a positive whole number")]
    [InlineData("--seeds -2", "--seeds must be a positive whole number")]
    [InlineData("--hidden many", "--hidden must be a positive whole number")]
    [InlineData("--train-size 5", "--train-size must be between 10 and 1697")]
    [InlineData("--train-size 1797", "--train-size must be between 10 and 1697")]
    [InlineData("--mc-samples", "--mc-samples needs a value")]
    [InlineData("--learning-rate 0.1", "Unknown option '--learning-rate'")]
    [InlineData("150", "Unexpected argument '150'")]
    public void Parse_ABadCommandLine_FailsWithAMessageNamingTheProblem(string commandLine, string expectedMessage)
    {
        CommandLineException exception = Assert.Throws<CommandLineException>(() => CommandLineOptions.Parse(commandLine.Split(' ')));

        Assert.Contains(expectedMessage, exception.Message);
    }
}
