using Microsoft.CodeAnalysis;

namespace Dropout.Analyzers;

/// <summary>
/// Every diagnostic the Dropout analyzers report. Ids form one series (DRP001, DRP002, ...); the generator's own
/// errors use DRPG### and live with the generator. Each id has a page at <see cref="HelpLinkBase"/><c>{id}.md</c>.
/// </summary>
internal static class DiagnosticDescriptors
{
    /// <summary>The stable base of every rule's help link; the page for rule X is <c>{HelpLinkBase}X.md</c>.</summary>
    public const string HelpLinkBase = "https://github.com/dropout-toolkit/Dropout.Toolkit/blob/main/docs/rules/";

    private const string Correctness = "Correctness";
    private const string Usage = "Usage";
    private const string Reproducibility = "Reproducibility";

    public static readonly DiagnosticDescriptor KeepProbabilityOutOfRange = Create(
        DiagnosticIds.KeepProbabilityOutOfRange,
        "Keep probability is outside the supported range [2^-24, 1]",
        "Keep probability {0} is outside the supported range [2^-24, 1] (2^-24 = 5.9604644775390625E-08); dropout keeps each element with probability p, so p must be at least 2^-24 and at most 1",
        Correctness,
        DiagnosticSeverity.Error,
        "The keep probability p of a dropout site must lie in [2^-24, 1], the range Dropout.Runtime accepts: p = 0 would drop every element and divide the survivors by zero, below 2^-24 the integer mask threshold is too coarse to realize p (and for the smallest values 1/p is infinite in float), a negative p or p above 1 is not a probability, and NaN compares false with everything.");

    public static readonly DiagnosticDescriptor DropoutIsIdentity = Create(
        DiagnosticIds.DropoutIsIdentity,
        "Dropout with keep probability 1 does nothing",
        "Keep probability 1 keeps every element, so this dropout is the identity and can be removed",
        Usage,
        DiagnosticSeverity.Info,
        "With p = 1 every mask bit is set and the scale 1/p is 1, so the dropout site changes nothing in training or inference; remove it or choose a keep probability below 1.");

    public static readonly DiagnosticDescriptor KeepProbabilityLooksLikeDropRate = Create(
        DiagnosticIds.KeepProbabilityLooksLikeDropRate,
        "Keep probability below the threshold looks like a drop rate",
        "Keep probability {0} drops {1} of the units; if {0} is the drop rate, the keep probability is {2}",
        Correctness,
        DiagnosticSeverity.Warning,
        "Dropout.Toolkit takes the probability of KEEPING an element, while PyTorch and Keras take the drop rate; a keep probability below 0.5 drops most units and is usually a drop rate passed by mistake. The threshold is configurable with dropout_toolkit.keep_probability_warning_threshold.");

    public static readonly DiagnosticDescriptor MissingInvertedScaling = Create(
        DiagnosticIds.MissingInvertedScaling,
        "Hand-written dropout does not scale the kept values by 1/p",
        "Kept values are not scaled by 1/{0} in training and not multiplied by {0} at inference, so the expected activation shrinks by a factor {0} when dropout is on",
        Correctness,
        DiagnosticSeverity.Warning,
        "Dropout keeps an element with probability p, so E[m·a] = p·a; inverted dropout divides the kept values by p in training so that training and inference see the same expected activation. Scale the kept values by 1/p, or multiply by p at inference (the non-inverted formulation).");

    public static readonly DiagnosticDescriptor DoubleScaling = Create(
        DiagnosticIds.DoubleScaling,
        "Dropout is scaled twice: by 1/p in training and by p at inference",
        "Kept values are already divided by {0} in training, so multiplying by {0} at inference shrinks inference activations by a factor {0}",
        Correctness,
        DiagnosticSeverity.Warning,
        "Inverted dropout divides by p in training so that inference is the identity; multiplying by p at inference as well applies the correction twice and shrinks every inference activation by p.");

    /// <summary>
    /// DRP005's second form: a mask whose entries already hold 1/p, and a product with it divided by p again. Same id, severity and
    /// configuration as <see cref="DoubleScaling"/>, with its own message; the analyzer declares <see cref="DoubleScaling"/> (the id is what is supported).
    /// </summary>
    internal static readonly DiagnosticDescriptor DoubleScalingOfScaledMask = Create(
        DiagnosticIds.DoubleScaling,
        "Dropout is scaled twice: the mask already holds 1/p",
        "The entries of '{0}' already hold 1/{1}, so dividing the masked values by {1} again scales the kept values by 1/{1}²",
        Correctness,
        DiagnosticSeverity.Warning,
        "A mask that stores 1/p for kept elements (and 0 for dropped ones) applies inverted dropout's scale by itself; dividing the product with it by p again makes the expected activation a/p instead of a.");

    public static readonly DiagnosticDescriptor DropoutOnInInference = Create(
        DiagnosticIds.DropoutOnInInference,
        "Dropout is switched on in inference code",
        "'{0}' is inference code but {1}, so predictions are randomly masked",
        Correctness,
        DiagnosticSeverity.Warning,
        "Inference code (a method marked [Inference] or named like Predict, Infer, Evaluate, Test or Validate) must run dropout as the identity. Forcing training mode or calling a dropout kernel directly there makes predictions random. Deliberate Monte Carlo dropout is opted into with [MonteCarloDropout] or a Monte Carlo scope and is not reported.");

    public static readonly DiagnosticDescriptor InferenceWithoutInferenceMode = Create(
        DiagnosticIds.InferenceWithoutInferenceMode,
        "Inference runs a model with dropout without switching it to inference mode",
        "'{0}' runs '{1}', which has dropout, without entering inference mode first, so dropout stays in whatever mode the model was left in",
        Correctness,
        DiagnosticSeverity.Warning,
        "A DropoutContext starts in training mode and stays in the last mode set; inference code that runs a model with dropout layers must switch to inference (using (context.Inference()) { ... }) or the predictions are randomly masked.");

    public static readonly DiagnosticDescriptor BackwardMaskMismatch = Create(
        DiagnosticIds.BackwardMaskMismatch,
        "Backward does not use the mask its forward drew",
        "This backward {0}, so the gradient flows through different units than the forward kept",
        Correctness,
        DiagnosticSeverity.Warning,
        "The dropout gradient is grad ⊙ m / p with exactly the forward mask m; another mask, a fresh seed or offset, or a mask overwritten by a second forward sends the gradient to units whose activations were dropped.");

    public static readonly DiagnosticDescriptor DropoutBeforeBatchNorm = Create(
        DiagnosticIds.DropoutBeforeBatchNorm,
        "Dropout directly before batch normalization",
        "Dropout feeds batch normalization directly, so its running variance is estimated under dropout and is wrong at inference (variance shift)",
        Usage,
        DiagnosticSeverity.Info,
        "Dropout changes the variance of its output between training (a·m/p has variance growing like 1/p) and inference (a); a batch normalization right after it learns the training variance and mis-normalizes at inference (Li et al., CVPR 2019). Place dropout after the last batch normalization.");

    public static readonly DiagnosticDescriptor MaskReusedAcrossIterations = Create(
        DiagnosticIds.MaskReusedAcrossIterations,
        "Dropout mask is reused across training iterations",
        "{0}, so the same units are dropped every time",
        Correctness,
        DiagnosticSeverity.Warning,
        "Dropout needs a fresh mask for every forward pass; a mask drawn once and reused trains a fixed thinned network instead of an ensemble of them.");

    public static readonly DiagnosticDescriptor UnseededDropoutRandom = Create(
        DiagnosticIds.UnseededDropoutRandom,
        "Dropout mask is drawn from an unseeded random generator",
        "The dropout mask is drawn from '{0}', which is not seeded, so training runs cannot be reproduced",
        Reproducibility,
        DiagnosticSeverity.Info,
        "new Random() and Random.Shared are seeded from the environment, so every run draws different masks; pass a seed (new Random(seed)) or use a DropoutContext with a seed to make training reproducible.");

    public static readonly DiagnosticDescriptor DropRateUsedAsScale = Create(
        DiagnosticIds.DropRateUsedAsScale,
        "Dropout scale uses the drop rate instead of the keep probability",
        "'{0}' {1}, but this dropout keeps each unit with probability {2}",
        Correctness,
        DiagnosticSeverity.Warning,
        "A unit survives with the keep probability k = 1 - rate, so inverted dropout divides the kept values by k and classic dropout multiplies inference activations by k; dividing by the drop rate, or multiplying by it at inference, scales every activation by the wrong factor (by 4 instead of 4/3 at rate 0.25).");

    public static readonly DiagnosticDescriptor BackwardOmitsForwardMaskOrScale = Create(
        DiagnosticIds.BackwardOmitsForwardMaskOrScale,
        "Hand-written dropout backward does not apply the forward's mask and scale",
        "'{0}' {1}, so the gradient is not the forward's mask times its scale",
        Correctness,
        DiagnosticSeverity.Warning,
        "The gradient of y = x ⊙ m / p is dy ⊙ m / p: the backward must multiply by exactly the mask the forward drew and by the same 1/p. A backward that leaves out 1/p, tests the input or output against 0 instead of reading the mask, or passes the gradient through trains on a different function than the forward computed.");

    public static readonly DiagnosticDescriptor DropoutWithoutInferencePath = Create(
        DiagnosticIds.DropoutWithoutInferencePath,
        "Hand-written dropout has no inference path",
        "'{0}' drops units on every call: no training flag or mode switches this dropout off at inference",
        Correctness,
        DiagnosticSeverity.Warning,
        "Dropout is a training-time regularizer: at inference it must be the identity. A dropout layer whose forward always draws a mask, with no training flag, mode or caller that skips it, randomly masks every prediction.");

    public static readonly DiagnosticDescriptor HandWrittenDropoutInInference = Create(
        DiagnosticIds.HandWrittenDropoutInInference,
        "Hand-written dropout runs in prediction code",
        "'{0}' is inference code but runs the dropout in '{1}' with nothing switching it off, so predictions are randomly masked",
        Correctness,
        DiagnosticSeverity.Warning,
        "Prediction, evaluation and test code must run dropout as the identity. Hand-written dropout reached from such code without a training flag set to false (or a mode switch) makes predictions random. Deliberate Monte Carlo dropout is not reported when the method or type says so ([MonteCarloDropout], or MonteCarlo, Uncertainty or Bayesian in its name).");

    /// <summary>
    /// DRP015's second form: prediction code that switches the dropout on itself. Same id and configuration as
    /// <see cref="HandWrittenDropoutInInference"/>, with its own message; the analyzer declares <see cref="HandWrittenDropoutInInference"/>.
    /// </summary>
    internal static readonly DiagnosticDescriptor HandWrittenDropoutSwitchedOnInInference = Create(
        DiagnosticIds.HandWrittenDropoutInInference,
        "Hand-written dropout runs in prediction code",
        "'{0}' is inference code but switches the dropout on ('{1}'), so predictions are randomly masked",
        Correctness,
        DiagnosticSeverity.Warning,
        "Prediction, evaluation and test code must run dropout as the identity. Setting the training flag to true (or the mode to training) before predicting, as a copy of the training code does, makes every prediction a random thinning of the network.");

    public static readonly DiagnosticDescriptor DrawKeepsWithDropRate = Create(
        DiagnosticIds.DrawKeepsWithDropRate,
        "Dropout keeps units with the drop rate",
        "'{0}' is named as a {1}, but this comparison {2} each unit with probability '{0}'",
        Correctness,
        DiagnosticSeverity.Warning,
        "Which way the draw is compared decides what the probability means: u < q keeps a unit with probability q. Comparing a drop rate so that it keeps (or a keep probability so that it drops) turns 10 % dropout into 90 % dropout.");

    public static readonly DiagnosticDescriptor KeptValuesMultipliedByKeepProbability = Create(
        DiagnosticIds.KeptValuesMultipliedByKeepProbability,
        "Kept values are multiplied by the keep probability in training",
        "'{0}' multiplies the kept values by {1} in training; inverted dropout divides them by {1}",
        Correctness,
        DiagnosticSeverity.Warning,
        "A unit survives with probability p, so E[m·a] = p·a already shrinks the activations by p; multiplying the kept values by p as well shrinks them by p² in training, while inference sees a. Divide the kept values by p (inverted dropout), or leave training alone and multiply by p at inference (classic dropout).");

    public static readonly DiagnosticDescriptor InvertedScaleAtInference = Create(
        DiagnosticIds.InvertedScaleAtInference,
        "Inverted dropout's scale also runs at inference",
        "'{0}' applies the 1/{1} of inverted dropout when the training flag is false too, so inference outputs are scaled by 1/{1}",
        Correctness,
        DiagnosticSeverity.Warning,
        "Inverted dropout divides the kept values by the keep probability p in training so that inference can be the identity. When the training flag gates only the zeroing and the division runs on every call, nothing is dropped at inference but every output is still divided by p, so the next layer sees a/p instead of the a it was trained on. Apply the scale inside the training branch, or fold it into the mask entries that only training writes.");

    // TorchSharp rules (the DRP02x series), active only where TorchSharp is referenced. TorchSharp's p is the DROP
    // probability; these messages speak its language.

    public static readonly DiagnosticDescriptor TorchSharpUnregisteredDropout = Create(
        DiagnosticIds.TorchSharpUnregisteredDropout,
        "Dropout submodule is not registered, so eval() never reaches it",
        "{0}, so eval() and train() never reach {1} and its dropout stays on at inference",
        Correctness,
        DiagnosticSeverity.Warning,
        "TorchSharp's train(bool) and eval() recurse only into registered submodules. A Module that keeps a dropout module (or a module holding one) in a field must call RegisterComponents() at the end of its constructor, unless a registering parent holds it; RegisterComponents() registers fields holding a Module, Parameter or Tensor but skips List<> and arrays of modules (use ModuleList, or register_module). An unregistered dropout stays in training mode forever.");

    public static readonly DiagnosticDescriptor TorchSharpDropoutCreatedInForward = Create(
        DiagnosticIds.TorchSharpDropoutCreatedInForward,
        "Dropout module is created inside forward, so it is always in training mode",
        "'{0}' creates a new {1} module on every call of '{2}'; a new module is in training mode and is never reached by eval(), so this dropout is on at inference",
        Correctness,
        DiagnosticSeverity.Warning,
        "A module is created in training mode; one created inside forward is a new, unregistered module on every call, so eval() on the model cannot switch it off. Create the dropout module once in the constructor, keep it in a field and register it, or call functional.dropout with training: this.training.");

    public static readonly DiagnosticDescriptor TorchSharpFunctionalDropoutIgnoresTraining = Create(
        DiagnosticIds.TorchSharpFunctionalDropoutIgnoresTraining,
        "Functional dropout in a module ignores the module's training mode",
        "'{0}' {1}, so this dropout stays on after eval()",
        Correctness,
        DiagnosticSeverity.Warning,
        "torch.nn.functional.dropout (and dropout1d/2d/3d) default training to true; inside a Module the call must pass the module's mode (training: this.training) or it keeps dropping at inference (the same mistake as PyTorch issues 11999 and 26338).");

    public static readonly DiagnosticDescriptor TorchSharpFunctionalDropoutNeverDrops = Create(
        DiagnosticIds.TorchSharpFunctionalDropoutNeverDrops,
        "Functional dropout whose training flag defaults to false never drops",
        "'{0}' defaults training to false and is called without it, so it never drops, not even in training",
        Correctness,
        DiagnosticSeverity.Warning,
        "In TorchSharp alpha_dropout and feature_alpha_dropout default training to false (unlike dropout and dropout1d/2d/3d); called without it in training code they are the identity. Pass training: this.training in a module, or the training flag of the loop.");

    public static readonly DiagnosticDescriptor TorchSharpInferenceWithoutEval = Create(
        DiagnosticIds.TorchSharpInferenceWithoutEval,
        "Inference runs a module with dropout without calling eval() first",
        "{0} runs '{1}' {2} without calling eval() first, so its dropout is still on and predictions are randomly masked",
        Correctness,
        DiagnosticSeverity.Warning,
        "A TorchSharp module stays in the mode it was last put in, and modules start in training mode; evaluation and prediction code must call eval() before running a model with dropout. torch.no_grad() only stops gradient tracking and does not switch dropout off. Deliberate Monte Carlo dropout is opted into with [MonteCarloDropout] or an explicit train() call and is not reported.");

    public static readonly DiagnosticDescriptor TorchSharpEvalInTrainingLoop = Create(
        DiagnosticIds.TorchSharpEvalInTrainingLoop,
        "eval() in a training loop is not undone by train() before the next optimizer step",
        "{0} puts the model in evaluation mode inside the training loop, and nothing calls train() before the next optimizer step or the next iteration's forward, so every later iteration trains with dropout off",
        Correctness,
        DiagnosticSeverity.Warning,
        "Evaluating inside a training loop (a validation pass each epoch) switches dropout off with eval(); the loop must call train() again before the next training step, usually at the start of each epoch, or all later epochs train without dropout.");

    public static readonly DiagnosticDescriptor TorchSharpDropRateLooksLikeKeepProbability = Create(
        DiagnosticIds.TorchSharpDropRateLooksLikeKeepProbability,
        "TorchSharp drop rate looks like a keep probability",
        "TorchSharp's p is the probability of dropping; {0} drops {1} of the units, so if {0} was meant as the keep probability, the drop rate is {2}",
        Usage,
        DiagnosticSeverity.Info,
        "TorchSharp, like PyTorch, takes the probability of DROPPING an element, while Keras' keep_prob, TensorFlow 1's keep_prob and this toolkit's [Dropout(p)] take the probability of keeping it. A drop rate at or above the threshold (0.8 unless dropout_toolkit.torchsharp_drop_rate_info_threshold says otherwise) removes most units and is usually a keep probability passed by mistake.");

    // DRP013 for a dropout split across files (the flag drawn in one file, the 1/p applied in another): the same mistake
    // and id, but found only when the whole compilation has been summarized, so it is a compilation-end diagnostic (it
    // appears on build, not live in the editor).
    public static readonly DiagnosticDescriptor BackwardOmitsForwardScaleAcrossFiles = AtCompilationEnd(BackwardOmitsForwardMaskOrScale);

    /// <summary>DRP004 for a mask made by a call into another file or behind an interface, found at compilation end.</summary>
    public static readonly DiagnosticDescriptor MissingInvertedScalingAcrossCalls = AtCompilationEnd(MissingInvertedScaling);

    /// <summary>DRP014 for a dropout whose mask is made by tensor calls (a thresholded random tensor, a mask producer of another file), found at compilation end.</summary>
    public static readonly DiagnosticDescriptor DropoutWithoutInferencePathAcrossCalls = AtCompilationEnd(DropoutWithoutInferencePath);

    /// <summary>DRP012 for whole-array dropout over a library's array type (a scale or inference factor by the drop rate), found at compilation end.</summary>
    public static readonly DiagnosticDescriptor DropRateUsedAsScaleAcrossCalls = AtCompilationEnd(DropRateUsedAsScale);

    /// <summary>
    /// DRP013 for whole-array dropout over a library's array type (a backward that multiplies by the mask without the
    /// forward's 1/p, or never reads it), found at compilation end by the tensor-call join. Same id, text and page as
    /// <see cref="BackwardOmitsForwardScaleAcrossFiles"/>; internal because the rule's one public compilation-end
    /// descriptor is that one (the join's analyzer declares this copy).
    /// </summary>
    internal static readonly DiagnosticDescriptor BackwardOmitsForwardMaskOrScaleAcrossCalls = AtCompilationEnd(BackwardOmitsForwardMaskOrScale);

    /// <summary>DRP019: a dropout mask made by comparing standard normal samples with a probability.</summary>
    public static readonly DiagnosticDescriptor NormalSamplesThresholdedAsMask = Create(
        DiagnosticIds.NormalSamplesThresholdedAsMask,
        "Dropout mask compares normal samples with a probability",
        "'{0}' compares standard normal samples with the probability '{1}', so the mask keeps units with a normal tail probability, neither '{1}' nor its complement",
        Correctness,
        DiagnosticSeverity.Warning,
        "A uniform sample u in [0, 1) compared with q keeps a unit with probability q (u < q) or 1 - q (u > q), which is what the dropout's scale or inference factor assumes; a standard normal sample compared with q keeps with P(N(0,1) > q), about 0.31 for q = 0.5 and 0.46 for q = 0.1. Draw the mask from uniform samples (rand, not randn).");

    /// <summary>DRP005 for whole-array dropout over a library's array type (inverted in training and multiplied by p at inference), found at compilation end.</summary>
    public static readonly DiagnosticDescriptor DoubleScalingAcrossCalls = AtCompilationEnd(DoubleScaling);

    /// <summary>DRP008 for a backward that re-runs a component's mask-drawing forward before its backward, found at compilation end.</summary>
    public static readonly DiagnosticDescriptor BackwardMaskMismatchAcrossCalls = AtCompilationEnd(BackwardMaskMismatch);

    /// <summary>DRP015 for prediction that reaches dropout in another file or through a virtual or interface call, found at compilation end.</summary>
    public static readonly DiagnosticDescriptor HandWrittenDropoutInInferenceAcrossCalls = AtCompilationEnd(HandWrittenDropoutInInference);

    // The same rule (id, text, severity, help) reported from a compilation-end action, which Roslyn requires to be tagged.
    private static DiagnosticDescriptor AtCompilationEnd(DiagnosticDescriptor rule) =>
        new(rule.Id, rule.Title, rule.MessageFormat, rule.Category, rule.DefaultSeverity, rule.IsEnabledByDefault, rule.Description, rule.HelpLinkUri, WellKnownDiagnosticTags.CompilationEnd);

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, string description) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, description, HelpLinkBase + id + ".md");
}
