using Dropout.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Dropout.Generators;

/// <summary>
/// Implements <c>[Dropout(p)]</c>: on a partial class, struct or record it generates the layer's dropout members
/// (<c>DropoutForward</c>, <c>DropoutBackward</c>, <c>DropoutContext</c>, ...); on a partial method it implements the
/// method as a dropout site. Every site gets a kernel specialized for its p (threshold, field width and 1/p as
/// constants) that produces exactly the masks of <c>docs/masks.md</c>.
/// </summary>
/// <remarks>
/// This file holds only the pipeline: <c>DropoutGenerator.Parser.cs</c> turns symbols into the equatable model,
/// <c>DropoutGenerator.Emitter.cs</c> turns the model into source.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed partial class DropoutGenerator : IIncrementalGenerator
{
    /// <summary>The attribute the generator looks for.</summary>
    public const string AttributeMetadataName = "Dropout.DropoutAttribute";

    /// <summary>Tracking names of the pipeline steps, for the incremental-caching tests.</summary>
    public static class TrackingNames
    {
        /// <summary>The parse of each attributed declaration.</summary>
        public const string Parse = "Dropout.Parse";

        /// <summary>The sites to emit.</summary>
        public const string Sites = "Dropout.Sites";

        /// <summary>The diagnostics to report.</summary>
        public const string Diagnostics = "Dropout.Diagnostics";

        /// <summary>The types that receive a <c>DropoutContext</c> property for their dropout methods.</summary>
        public const string ContextHolders = "Dropout.ContextHolders";

        /// <summary>Whether the compilation can take generated code (runtime referenced, C# 11 or later).</summary>
        public const string Environment = "Dropout.Environment";

        /// <summary>The hint names that must change because others differ from them only in case.</summary>
        public const string HintNames = "Dropout.HintNames";
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // The transform reads symbols but returns only the equatable model (see Model/), so an edit that leaves a
        // declaration's model unchanged stops here and the emitted source is served from the cache.
        IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeMetadataName, Parser.IsCandidate, Parser.Parse)
            .WithTrackingName(TrackingNames.Parse);

        // Whether generated code can compile at all here (Dropout.Runtime referenced, C# 11 or later). A small
        // equatable record: an edit that does not change it leaves everything downstream cached.
        IncrementalValueProvider<GenerationEnvironment> environment = context.CompilationProvider
            .Combine(context.ParseOptionsProvider)
            .Select(static (pair, _) => Requirements.Describe(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Environment);

        // When it cannot, one error at the first [Dropout] says why, and nothing else is reported or generated.
        IncrementalValueProvider<EquatableArray<DiagnosticInfo>> environmentErrors = parsed
            .Select(static (result, _) => result.AttributeLocation)
            .Collect()
            .Combine(environment)
            .Select(static (pair, _) => Requirements.Errors(pair.Right, pair.Left));
        context.RegisterSourceOutput(environmentErrors, static (production, diagnostics) => Report(production, diagnostics));

        // Diagnostics leave on their own branch: they hold locations, and moving a line must not re-emit source.
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = parsed
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics + ".Select")
            .Where(static diagnostics => !diagnostics.IsEmpty)
            .Combine(environment)
            .Where(static pair => pair.Right.CanGenerate)
            .Select(static (pair, _) => pair.Left)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (production, diagnostics) => Report(production, diagnostics));

        IncrementalValuesProvider<DropoutSiteModel> sites = parsed
            .Select(static (result, _) => result.Site)
            .WithTrackingName(TrackingNames.Sites + ".Select")
            .Where(static site => site is not null)
            .WithTrackingName(TrackingNames.Sites + ".Where")
            .Select(static (site, _) => site!)
            .WithTrackingName(TrackingNames.Sites);

        IncrementalValuesProvider<StubModel> stubs = parsed
            .Select(static (result, _) => result.Stub)
            .Where(static stub => stub is not null)
            .Select(static (stub, _) => stub!);

        // Several dropout methods may share a type; its DropoutContext property is emitted once.
        IncrementalValueProvider<EquatableArray<ContextHolderModel>> holders = parsed
            .Select(static (result, _) => result.ContextHolder)
            .WithTrackingName(TrackingNames.ContextHolders + ".Select")
            .Where(static holder => holder is not null)
            .WithTrackingName(TrackingNames.ContextHolders + ".Where")
            .Select(static (holder, _) => holder!)
            .WithTrackingName(TrackingNames.ContextHolders + ".NotNull")
            .Collect()
            .WithTrackingName(TrackingNames.ContextHolders + ".Collect")
            .Select(static (all, _) => new EquatableArray<ContextHolderModel>(
                all.Distinct().OrderBy(static holder => holder.Type.FullName, StringComparer.Ordinal)))
            .WithTrackingName(TrackingNames.ContextHolders);

        // Hint names must differ ignoring case (CS8785 otherwise). Only names that clash get a suffix; the list of
        // those is empty in almost every project, so a new site does not re-emit the others.
        IncrementalValueProvider<EquatableArray<HintOverride>> hintOverrides = sites
            .Select(static (site, _) => HintNames.Stem(site))
            .Collect()
            .Combine(stubs.Select(static (stub, _) => HintNames.Stem(stub)).Collect())
            .Combine(holders)
            .Select(static (all, _) => HintNames.Overrides(
                all.Left.Left.Concat(all.Left.Right).Concat(all.Right.Select(HintNames.Stem))))
            .WithTrackingName(TrackingNames.HintNames);
        IncrementalValueProvider<(EquatableArray<HintOverride> Overrides, GenerationEnvironment Environment)> output = hintOverrides
            .Combine(environment)
            .Select(static (pair, _) => (pair.Left, pair.Right));

        context.RegisterSourceOutput(sites.Combine(output).Where(static pair => pair.Right.Environment.CanGenerate), static (production, pair) =>
            Emitter.EmitSite(production, pair.Left, HintNames.For(HintNames.Stem(pair.Left), pair.Right.Overrides)));

        context.RegisterSourceOutput(stubs.Combine(output).Where(static pair => pair.Right.Environment.CanGenerate), static (production, pair) =>
            Emitter.EmitStub(production, pair.Left, HintNames.For(HintNames.Stem(pair.Left), pair.Right.Overrides)));

        context.RegisterSourceOutput(holders.Combine(output), static (production, pair) =>
        {
            if (!pair.Right.Environment.CanGenerate)
            {
                return;
            }

            foreach (ContextHolderModel holder in pair.Left)
            {
                Emitter.EmitContextHolder(production, holder, HintNames.For(HintNames.Stem(holder), pair.Right.Overrides));
            }
        });
    }

    private static void Report(SourceProductionContext production, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (DiagnosticInfo diagnostic in diagnostics)
        {
            production.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
    }
}
