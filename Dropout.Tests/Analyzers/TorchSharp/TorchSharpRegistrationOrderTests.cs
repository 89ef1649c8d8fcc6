using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers.TorchSharp;

/// <summary>
/// DRP020 for a dropout stored after <c>RegisterComponents()</c>: the call registers only the modules the fields hold when
/// it runs and marks the module registered, so a dropout (or a <c>Sequential</c> holding one) assigned after it is never a
/// registered submodule, and <c>eval()</c> never reaches it, whoever holds the module. Twins: the same member assigned
/// before the call, a second call after the assignment, and a call that runs only in a branch.
/// </summary>
public sealed class TorchSharpRegistrationOrderTests
{
    private static string Block(string constructorBody) => """
        public sealed class EncoderBlock : Module<Tensor, Tensor>
        {
            private readonly Linear fc1;
            private readonly Linear fc2;
            private readonly Sequential ff;

            public EncoderBlock(int width, double dropout, bool eager) : base(nameof(EncoderBlock))
            {
                fc1 = Linear(width, 4 * width);
                fc2 = Linear(4 * width, width);
        """ + constructorBody + """

            }

            public override Tensor forward(Tensor x) => x + ff.forward(x);
        }

        public sealed class Encoder : Module<Tensor, Tensor>
        {
            private readonly EncoderBlock block;

            public Encoder(int width) : base(nameof(Encoder))
            {
                block = new EncoderBlock(width, 0.1, true);
                RegisterComponents();
            }

            public override Tensor forward(Tensor x) => block.forward(x);
        }
        """;

    [Fact]
    public Task SequentialWithDropoutAssignedAfterRegisterComponents_IsReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>(Block("""
                    RegisterComponents();
                    ff = Sequential(fc1, GELU(), {|DRP020:Dropout(dropout)|}, fc2, Dropout(dropout));
            """));

    [Fact]
    public Task SequentialWithDropoutAssignedBeforeRegisterComponents_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>(Block("""
                    ff = Sequential(fc1, GELU(), Dropout(dropout), fc2, Dropout(dropout));
                    RegisterComponents();
            """));

    [Fact]
    public Task RegisterComponentsCalledAgainAfterTheAssignment_IsNotReported() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>(Block("""
                    if (eager) RegisterComponents();
                    ff = Sequential(fc1, GELU(), Dropout(dropout), fc2, Dropout(dropout));
                    RegisterComponents();
            """));

    [Fact]
    public Task RegisterComponentsOnlyInABranchBeforeTheAssignment_IsNotReportedAsLate() =>
        TorchSharpTest.VerifyAsync<TorchSharpUnregisteredDropoutAnalyzer>(Block("""
                    if (eager) RegisterComponents();
                    ff = Sequential(fc1, GELU(), Dropout(dropout), fc2, Dropout(dropout));
            """));
}
