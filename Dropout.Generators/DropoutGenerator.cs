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

        /// <summary>The throwing bodies of rejected dropout methods that need one.</summary>
        public const string Stubs = "Dropout.Stubs";

        /// <summary>Whether the compilation can take generated code (runtime referenced, C# 11 or later).</summary>
        public const string Environment = "Dropout.Environment";

        /// <summary>The files to generate, with hint names unique ignoring case.</summary>
        public const string HintNames = "Dropout.HintNames";

        /// <summary>Each file to generate, on its own.</summary>
        public const string Files = "Dropout.Files";
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
            .Select(static (pair, _) => Requirements.Errors(pair.Right, pair.Left))
            .WithTrackingName(TrackingNames.Environment + ".Errors");
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
            .Select(static (stub, _) => stub!)
            .WithTrackingName(TrackingNames.Stubs);

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

        // Every file to generate, named: hint names must be unique ignoring case (CS8784/CS8785 otherwise), which
        // only the whole set can decide. SelectMany hands each file on by itself, compared with the file at its place
        // in the previous run: an edit that changes one site's model re-emits that file alone, and adding or removing
        // a site re-emits the files after it.
        IncrementalValuesProvider<NamedFile> files = sites
            .Collect()
            .Combine(stubs.Collect())
            .Combine(holders)
            .Select(static (all, _) => HintNames.Assign(all.Left.Left, all.Left.Right, all.Right))
            .WithTrackingName(TrackingNames.HintNames)
            .SelectMany(static (files, _) => files)
            .WithTrackingName(TrackingNames.Files);

        context.RegisterSourceOutput(files.Combine(environment).Where(static pair => pair.Right.CanGenerate), static (production, pair) =>
            Emitter.Emit(production, pair.Left));
    }

    private static void Report(SourceProductionContext production, EquatableArray<DiagnosticInfo> diagnostics)
    {
        foreach (DiagnosticInfo diagnostic in diagnostics)
        {
            production.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
    }
}
