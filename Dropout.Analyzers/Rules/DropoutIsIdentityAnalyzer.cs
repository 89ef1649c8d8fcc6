using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>
/// DRP002: a constant keep probability of exactly 1, which makes the dropout the identity. Not on a fused epilogue
/// (<c>[Dropout(1.0, Activation = ...)]</c>, or a dropout method with a bias or residual): there p = 1 leaves the bias
/// add, the activation and the residual add, a meaningful layer without dropout.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DropoutIsIdentityAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.DropoutIsIdentity);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        // Generated code is skipped by KeepProbabilityArguments itself: with GeneratedCodeAnalysisFlags.None, Roslyn would
        // also skip the user's own [Dropout(p)] on a partial method, whose generated implementation carries [GeneratedCode].
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.RegisterCompilationStartAction(start => KeepProbabilityArguments.Register(start, static (argument, report, _) =>
        {
            if (argument.Value == 1.0 && !IsFusedEpilogue(argument.Expression))
            {
                report(Diagnostic.Create(DiagnosticDescriptors.DropoutIsIdentity, argument.Expression.GetLocation()));
            }
        }));
    }

    // The generator's rule: a [Dropout] method is a fused epilogue when Activation is set or it has three or more
    // parameters (pre-activation, bias and/or residual, output).
    private static bool IsFusedEpilogue(ExpressionSyntax keepProbability)
    {
        if (keepProbability.FirstAncestorOrSelf<AttributeSyntax>() is not { } attribute)
        {
            return false;
        }

        bool setsActivation = attribute.ArgumentList?.Arguments.Any(argument => argument.NameEquals?.Name.Identifier.ValueText == "Activation") == true;
        return setsActivation
            || (attribute.Parent?.Parent is MethodDeclarationSyntax method && method.ParameterList.Parameters.Count >= 3);
    }
}
