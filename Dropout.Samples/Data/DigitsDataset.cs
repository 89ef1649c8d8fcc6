using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Dropout.Samples.Data;

/// <summary>
/// The UCI handwritten digits (Alpaydin and Kaynak, 1998; CC BY 4.0): 1,797 images of 8x8 pixels, labels 0..9.
/// Pixels are scaled from counts 0..16 to [0, 1].
/// </summary>
public sealed class DigitsDataset
{
    /// <summary>Pixels per image (8 x 8).</summary>
    public const int PixelCount = 64;

    /// <summary>Number of classes (the digits 0..9).</summary>
    public const int ClassCount = 10;

    /// <summary>The sha256 of the shipped <c>data/digits.csv.gz</c>; a file with another hash is refused.</summary>
    public const string ExpectedSha256 = "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a";

    private const int LargestPixelCount = 16;

    private DigitsDataset(float[] pixels, byte[] labels)
    {
        Pixels = pixels;
        Labels = labels;
    }

    /// <summary>Gets the path the program loads by default: <c>data/digits.csv.gz</c> beside the executable.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz");

    /// <summary>Gets the images, row after row, <see cref="PixelCount"/> values in [0, 1] each.</summary>
    public float[] Pixels { get; }

    /// <summary>Gets the label of each image.</summary>
    public byte[] Labels { get; }

    /// <summary>Gets the number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Loads the data set after checking that the file is byte for byte the one the sample ships.</summary>
    /// <param name="path">The gzip-compressed CSV file.</param>
    /// <returns>The images and labels.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file's hash differs, or a row is malformed.</exception>
    public static DigitsDataset Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The digits data set was not found at '{path}'. It ships with the sample as data/digits.csv.gz.", path);
        }

        byte[] compressed = File.ReadAllBytes(path);
        string actualSha256 = Convert.ToHexStringLower(SHA256.HashData(compressed));
        if (actualSha256 != ExpectedSha256)
        {
            throw new InvalidDataException(
                $"'{path}' has sha256 {actualSha256}, but the digits data set this sample was measured on has {ExpectedSha256}. " +
                "Restore data/digits.csv.gz from the repository.");
        }

        using var reader = new StreamReader(new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress));
        var pixels = new List<float>(1797 * PixelCount);
        var labels = new List<byte>(1797);
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            ParseRow(line, lineNumber, pixels, labels);
        }

        return new DigitsDataset([.. pixels], [.. labels]);
    }

    /// <summary>Gets image <paramref name="index"/>'s pixels.</summary>
    /// <param name="index">The image index.</param>
    /// <returns>Its <see cref="PixelCount"/> pixels.</returns>
    public ReadOnlySpan<float> Image(int index) => Pixels.AsSpan(index * PixelCount, PixelCount);

    /// <summary>
    /// Splits the images into a training set of <paramref name="trainingCount"/> and a test set of all the others. The
    /// training set takes the classes in turn (stratified), so even a small one has every digit about equally often.
    /// </summary>
    /// <param name="trainingCount">The number of training images.</param>
    /// <param name="splitSeed">Seeds the shuffle that picks the images.</param>
    /// <returns>The training and test sets.</returns>
    public (DigitsSplit Training, DigitsSplit Test) Split(int trainingCount, int splitSeed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainingCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(trainingCount, Count);

        int[] order = Enumerable.Range(0, Count).ToArray();
        new Random(splitSeed).Shuffle(order);

        var queues = new Queue<int>[ClassCount];
        for (int digit = 0; digit < ClassCount; digit++)
        {
            queues[digit] = new Queue<int>();
        }

        foreach (int index in order)
        {
            queues[Labels[index]].Enqueue(index);
        }

        var training = new List<int>(trainingCount);
        for (int digit = 0; training.Count < trainingCount; digit = (digit + 1) % ClassCount)
        {
            if (queues[digit].TryDequeue(out int index))
            {
                training.Add(index);
            }
        }

        var test = queues.SelectMany(queue => queue).Order().ToList();
        return (Subset(training), Subset(test));
    }

    private DigitsSplit Subset(List<int> indices)
    {
        var pixels = new float[indices.Count * PixelCount];
        var labels = new byte[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Image(indices[i]).CopyTo(pixels.AsSpan(i * PixelCount));
            labels[i] = Labels[indices[i]];
        }

        return new DigitsSplit(pixels, labels);
    }

    private static void ParseRow(string line, int lineNumber, List<float> pixels, List<byte> labels)
    {
        ReadOnlySpan<char> rest = line;
        Span<Range> fields = stackalloc Range[PixelCount + 2];
        int fieldCount = rest.Split(fields, ',');
        if (fieldCount != PixelCount + 1)
        {
            throw new InvalidDataException($"Line {lineNumber}: expected {PixelCount + 1} comma-separated values, found {fieldCount}.");
        }

        for (int i = 0; i < PixelCount; i++)
        {
            int value = ParseInteger(rest[fields[i]], lineNumber, 0, LargestPixelCount);
            pixels.Add(value / (float)LargestPixelCount);
        }

        labels.Add((byte)ParseInteger(rest[fields[PixelCount]], lineNumber, 0, ClassCount - 1));
    }

    private static int ParseInteger(ReadOnlySpan<char> text, int lineNumber, int minimum, int maximum)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < minimum || value > maximum)
        {
            throw new InvalidDataException($"Line {lineNumber}: '{text}' is not an integer in [{minimum}, {maximum}].");
        }

        return value;
    }
}

/// <summary>A set of images and their labels, in one contiguous row-major block.</summary>
/// <param name="Pixels">The images, <see cref="DigitsDataset.PixelCount"/> values each.</param>
/// <param name="Labels">The label of each image.</param>
public sealed record DigitsSplit(float[] Pixels, byte[] Labels)
{
    /// <summary>Gets the number of images.</summary>
    public int Count => Labels.Length;
}
