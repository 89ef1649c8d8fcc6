namespace Dropout.Analyzers;

/// <summary>The rule ids, shared with the code fixes.</summary>
internal static class DiagnosticIds
{
    public const string KeepProbabilityOutOfRange = "DRP001";
    public const string DropoutIsIdentity = "DRP002";
    public const string KeepProbabilityLooksLikeDropRate = "DRP003";
    public const string MissingInvertedScaling = "DRP004";
    public const string DoubleScaling = "DRP005";
    public const string DropoutOnInInference = "DRP006";
    public const string InferenceWithoutInferenceMode = "DRP007";
    public const string BackwardMaskMismatch = "DRP008";
    public const string DropoutBeforeBatchNorm = "DRP009";
    public const string MaskReusedAcrossIterations = "DRP010";
    public const string UnseededDropoutRandom = "DRP011";
    public const string DropRateUsedAsScale = "DRP012";
    public const string BackwardOmitsForwardMaskOrScale = "DRP013";
    public const string DropoutWithoutInferencePath = "DRP014";
    public const string HandWrittenDropoutInInference = "DRP015";
    public const string DrawKeepsWithDropRate = "DRP016";
    public const string KeptValuesMultipliedByKeepProbability = "DRP017";
    public const string InvertedScaleAtInference = "DRP018";
    public const string NormalSamplesThresholdedAsMask = "DRP019";

    // TorchSharp rules (the DRP02x series, from DRP020): active only in compilations that reference TorchSharp.
    public const string TorchSharpUnregisteredDropout = "DRP020";
    public const string TorchSharpDropoutCreatedInForward = "DRP021";
    public const string TorchSharpFunctionalDropoutIgnoresTraining = "DRP022";
    public const string TorchSharpFunctionalDropoutNeverDrops = "DRP023";
    public const string TorchSharpInferenceWithoutEval = "DRP024";
    public const string TorchSharpEvalInTrainingLoop = "DRP025";
    public const string TorchSharpDropRateLooksLikeKeepProbability = "DRP026";

    /// <summary>Whether <paramref name="id"/> belongs to the TorchSharp series (DRP020 to the end of the DRP02x ids).</summary>
    internal static bool IsTorchSharpRule(string id) =>
        id.Length == 6 && id.StartsWith("DRP02", System.StringComparison.Ordinal);
}
