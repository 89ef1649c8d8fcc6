using System.IO.Compression;
using Dropout.Samples.Data;

namespace Dropout.Tests.Samples;

public sealed class DigitsDatasetTests
{
    [Fact]
    public void Load_TheShippedFile_Gives1797ImagesOf64PixelsInTheUnitRange()
    {
        DigitsDataset digits = DigitsDataset.Load(DigitsDataset.DefaultPath);

        // 1,797 rows and labels 0..9, as the data set's README states.
        Assert.Equal(1797, digits.Count);
        Assert.Equal(1797 * 64, digits.Pixels.Length);
        Assert.All(digits.Pixels, pixel => Assert.InRange(pixel, 0f, 1f));
        Assert.Equal(Enumerable.Range(0, 10).Select(digit => (byte)digit), digits.Labels.Distinct().Order());
    }

    [Fact]
    public void Load_AFileWithAnotherHash_IsRefusedWithAClearMessage()
    {
        string path = Path.Combine(Path.GetTempPath(), "digits-altered-" + Guid.NewGuid().ToString("N") + ".csv.gz");
        try
        {
            using (var file = File.Create(path))
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            using (var writer = new StreamWriter(gzip))
            {
                writer.WriteLine(string.Join(',', Enumerable.Repeat("0", 64)) + ",3");
            }

            InvalidDataException exception = Assert.Throws<InvalidDataException>(() => DigitsDataset.Load(path));
            Assert.Contains("sha256", exception.Message);
            Assert.Contains(DigitsDataset.ExpectedSha256, exception.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_AMissingFile_SaysWhereItLooked()
    {
        string path = Path.Combine(Path.GetTempPath(), "no-such-digits-" + Guid.NewGuid().ToString("N") + ".csv.gz");

        FileNotFoundException exception = Assert.Throws<FileNotFoundException>(() => DigitsDataset.Load(path));

        Assert.Contains(path, exception.Message);
    }

    [Fact]
    public void Split_TakesEveryDigitEquallyOftenAndKeepsTrainingAndTestDisjoint()
    {
        DigitsDataset digits = DigitsDataset.Load(DigitsDataset.DefaultPath);

        (DigitsSplit training, DigitsSplit test) = digits.Split(300, splitSeed: 0);

        Assert.Equal(300, training.Count);
        Assert.Equal(1797 - 300, test.Count);
        Assert.All(training.Labels.CountBy(label => label), pair => Assert.Equal(30, pair.Value));

        // No training image appears in the test set (the data set has no duplicate images within the first check's reach).
        var testImages = Enumerable.Range(0, test.Count).Select(i => string.Join(',', test.Pixels.Skip(i * 64).Take(64))).ToHashSet();
        int shared = Enumerable.Range(0, training.Count).Count(i => testImages.Contains(string.Join(',', training.Pixels.Skip(i * 64).Take(64))));
        Assert.Equal(0, shared);
    }
}
