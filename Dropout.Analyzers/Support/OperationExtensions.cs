using Microsoft.CodeAnalysis;

namespace Dropout.Analyzers;

/// <summary>Walks of the operation tree that several rules and the model share.</summary>
internal static class OperationExtensions
{
    /// <summary>The root of the operation tree <paramref name="operation"/> is in (the member's body or initializer).</summary>
    public static IOperation TreeRoot(this IOperation operation)
    {
        while (operation.Parent is { } parent)
        {
            operation = parent;
        }

        return operation;
    }
}
