using System.Collections.Immutable;
using Dropout.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dropout.Generators;

public sealed partial class DropoutGenerator
{
    /// <summary>
    /// What generated code needs from the whole compilation: Dropout.Runtime, whose types it calls, and C# 11 (its
    /// kernels are file-local classes). Without either, every generated file would fail to compile with errors that
    /// do not say why; the generator reports one error instead and generates nothing.
    /// </summary>
    internal static class Requirements
    {
        /// <summary>The runtime types generated code calls, all of which must come from the runtime assembly.</summary>
        private static readonly string[] RuntimeTypes =
            ["Dropout.DropoutContext", "Dropout.DropoutStream", "Dropout.DropoutSiteState", "Dropout.GeneratedDropout", "Dropout.DropoutMaskStorage"];

        private const string RuntimeAssemblyName = "Dropout.Runtime";

        public static GenerationEnvironment Describe(Compilation compilation, ParseOptions options)
        {
            bool hasRuntime = RuntimeTypes.All(name => compilation.GetTypeByMetadataName(name)?.ContainingAssembly?.Name == RuntimeAssemblyName);
            LanguageVersion version = options is CSharpParseOptions csharp ? csharp.LanguageVersion : LanguageVersion.Latest;
            return new GenerationEnvironment(hasRuntime, version.ToDisplayString(), version >= LanguageVersion.CSharp11);
        }

        /// <summary>The one error to report, at the first <c>[Dropout]</c> in source order, when generated code cannot compile.</summary>
        public static EquatableArray<DiagnosticInfo> Errors(GenerationEnvironment environment, ImmutableArray<LocationInfo?> attributeLocations)
        {
            if (environment.CanGenerate || attributeLocations.IsDefaultOrEmpty)
            {
                return EquatableArray<DiagnosticInfo>.Empty;
            }

            LocationInfo? first = attributeLocations
                .Where(static location => location is not null)
                .OrderBy(static location => location!.FilePath, StringComparer.Ordinal)
                .ThenBy(static location => location!.TextSpan.Start)
                .FirstOrDefault();
            DiagnosticInfo error = environment.HasRuntime
                ? new DiagnosticInfo(DiagnosticDescriptors.LanguageVersionTooLow, first, new EquatableArray<string>(new[] { environment.LanguageVersion }))
                : new DiagnosticInfo(DiagnosticDescriptors.RuntimeNotReferenced, first, new EquatableArray<string>(new[] { AttributeMetadataName }));
            return new EquatableArray<DiagnosticInfo>(new[] { error });
        }
    }
}
