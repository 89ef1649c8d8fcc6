using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dropout.Analyzers;

/// <summary>
/// A backward that differentiates through a value of the dropout's forward with nothing of the dropout (neither its mask
/// nor its 1/p): the dropped output (<see cref="DroppedOutputBackward"/>) or a record taken before the drop
/// (<see cref="PreDropRecordBackward"/>).
/// </summary>
internal sealed class BackwardFinding(MethodDeclarationSyntax backward, string through)
{
    public MethodDeclarationSyntax Backward { get; } = backward;

    /// <summary>What the backward differentiates through, in the form each finder gives it to the message.</summary>
    public string Through { get; } = through;
}
