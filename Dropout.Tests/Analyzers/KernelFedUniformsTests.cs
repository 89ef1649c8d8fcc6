using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers;

/// <summary>
/// A GPU-style kernel (static, element index first) thresholds a buffer whose uniforms its launcher filled in another
/// method: the kernel is stored as a delegate, launched with the buffer right after a call that fills it with uniforms.
/// </summary>
public sealed class KernelFedUniformsTests
{
    // Stand-ins for a GPU library: a device that turns a method into a launchable kernel, and a generator filling buffers.
    private const string Device = """
        public sealed class Device
        {
            public Action<int, float[], float[], float> Load(Action<int, float[], float[], float> kernel) => kernel;
        }
        public sealed class DeviceRandom(int seed)
        {
            private readonly Random _rng = new(seed);
            public void FillUniform(float[] buffer) { for (int i = 0; i < buffer.Length; i++) buffer[i] = _rng.NextSingle(); }
        }
        """;

    private static string Layer(string kernelBody, string fill) => Device + """
        public sealed class DropoutLayer
        {
            private readonly DeviceRandom _random = new(3);
            private readonly float[] _noise = new float[64];
            private readonly Action<int, float[], float[], float> _forward;
            public float DropRate { get; set; } = 0.5f;
            public bool IsTraining { get; set; }
            public DropoutLayer(Device device) { _forward = device.Load(ForwardKernel); }
            public void Forward(float[] activations)
            {
                FILL
                _forward(activations.Length, activations, _noise, IsTraining ? DropRate : 0f);
            }
            public static void ForwardKernel(int index, float[] activations, float[] noise, float dropRate)
            {
                activations[index] = BODY;
            }
        }
        """.Replace("FILL", fill).Replace("BODY", kernelBody);

    [Fact]
    public Task KernelThresholdingLauncherUniforms_WithoutScale_IsReported() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("{|DRP004:noise[index] >= dropRate|} ? activations[index] : 0f", "_random.FillUniform(_noise);"));

    [Fact]
    public Task KernelThresholdingLauncherUniforms_WithScale_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("noise[index] >= dropRate ? activations[index] / (1f - dropRate) : 0f", "_random.FillUniform(_noise);"));

    [Fact]
    public Task KernelComparingABufferNobodyFilledWithUniforms_IsSilent() =>
        AnalyzerTest.VerifyAsync<MissingInvertedScalingAnalyzer>(Layer("noise[index] >= dropRate ? activations[index] : 0f", "Array.Clear(_noise);"));
}
