namespace Dropout.Benchmarks;

/// <summary>
/// Dropout as textbook pseudocode writes it: one System.Random draw per element, a float mask, a multiply and a
/// divide. The baseline the issue asks the kernels to beat; written plainly, as a user new to this would.
/// </summary>
internal static class NaiveDropout
{
    public static void Forward(ReadOnlySpan<float> input, Span<float> output, Span<float> mask, float keepProbability, System.Random random)
    {
        for (int i = 0; i < input.Length; i++)
        {
            mask[i] = random.NextSingle() < keepProbability ? 1f : 0f;
            output[i] = input[i] * mask[i] / keepProbability;
        }
    }
}
