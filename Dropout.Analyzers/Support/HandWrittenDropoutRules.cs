using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Dropout.Analyzers;

/// <summary>How the hand-written dropout rules reach the shared model: one callback per type declaration.</summary>
internal static class HandWrittenDropoutRules
{
    /// <summary>Runs <paramref name="analyze"/> on the model's facts for every class, struct and record that has a hand-written dropout site.</summary>
    public static void RegisterTypeAnalysis(AnalysisContext context, Action<SyntaxNodeAnalysisContext, DropoutTypeFacts> analyze)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterSyntaxNodeAction(
            nodeContext =>
            {
                var declaration = (TypeDeclarationSyntax)nodeContext.Node;
                DropoutTypeFacts facts = HandWrittenDropoutModel.For(nodeContext.SemanticModel.Compilation).FactsFor(declaration, nodeContext.SemanticModel, nodeContext.CancellationToken);
                if (!facts.AllSites.IsEmpty)
                {
                    analyze(nodeContext, facts);
                }
            },
            SyntaxKind.ClassDeclaration,
            SyntaxKind.StructDeclaration,
            SyntaxKind.RecordDeclaration,
            SyntaxKind.RecordStructDeclaration);
    }
}
