using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

internal sealed partial class HandWrittenDropoutModel
{
    // How deep a buffer is followed through helpers that hand it on (`Fill(d)` calling `FillRange(d, 0, n)`).
    private const int HelperFillDepth = 2;

    /// <summary>What a helper writes into the buffer it is handed.</summary>
    private enum HelperWrite
    {
        /// <summary>Nothing the model can see: a library method, a virtual one, a helper that only reads the buffer.</summary>
        Nothing,

        /// <summary>Uniform draws in [0, 1), and only them, once per element.</summary>
        Draws,

        /// <summary>Anything else: a constant, a scaled or Gaussian draw, an alias the writes could go through unseen.</summary>
        Other,
    }

    /// <summary>
    /// What the helper <paramref name="call"/> invokes writes into the buffer handed as <paramref name="argument"/>: read from
    /// the body of a local function or a non-virtual method of this file (a <c>Rand</c> whose fill loop was extracted,
    /// <c>var d = new double[n]; Fill(d); return new Tensor(shape, d);</c> with <c>static void Fill(double[] d) { for (...)
    /// d[i] = rng.NextDouble(); }</c>). Every write into the parameter must be a uniform draw, in a loop of the helper or
    /// with the call in a loop of the caller; the parameter may be read, handed on to another such helper (a small depth),
    /// and nothing else, since a local alias or a stored reference could take writes the model does not follow.
    /// </summary>
    private HelperWrite HelperFill(IInvocationOperation call, IArgumentOperation argument, IOperation callerRoot, SemanticModel semanticModel, bool callInLoop, int depth, CancellationToken cancellationToken)
    {
        IMethodSymbol callee = call.TargetMethod;
        if (argument.Parameter is not { RefKind: RefKind.None } parameter || depth > HelperFillDepth
            || callee.IsVirtual || callee.IsAbstract || callee.IsOverride || callee.IsExtern
            || callee.MethodKind is not (MethodKind.Ordinary or MethodKind.LocalFunction))
        {
            return HelperWrite.Nothing;
        }

        IOperation? calleeBody = null;
        SemanticModel? calleeModel = semanticModel;
        if (callee.MethodKind == MethodKind.LocalFunction)
        {
            calleeBody = callerRoot.Descendants().OfType<ILocalFunctionOperation>()
                .FirstOrDefault(function => SymbolEqualityComparer.Default.Equals(function.Symbol, callee.OriginalDefinition))?.Body;
        }
        else if (callee.DeclaringSyntaxReferences.Length == 1
            && SemanticModelFor(semanticModel, callee.DeclaringSyntaxReferences[0].SyntaxTree, callee, cancellationToken) is { } model)
        {
            calleeModel = model;
            calleeBody = model.GetOperation(callee.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken), cancellationToken);
        }

        if (calleeBody is null || calleeModel is null)
        {
            return HelperWrite.Nothing;
        }

        // A local function's body is searched from the caller's root too: it may call a sibling local function.
        IOperation root = callee.MethodKind == MethodKind.LocalFunction ? callerRoot : calleeBody;
        var finder = new SiteFinder(this, calleeModel, cancellationToken);
        bool drawn = false;
        foreach (IOperation operation in calleeBody.Descendants())
        {
            if (operation is not IParameterReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter.OriginalDefinition))
            {
                continue;
            }

            IOperation use = reference;
            while (use.Parent is IConversionOperation or IParenthesizedOperation)
            {
                use = use.Parent;
            }

            switch (use.Parent)
            {
                case IArrayElementReferenceOperation element when element.ArrayReference == use:
                    if (element.Parent is ISimpleAssignmentOperation simple && simple.Target == element)
                    {
                        if (!(callInLoop || IsInLoop(simple, calleeBody))
                            || !finder.TryRandomValue(simple.Value, 1, out RandomValue draw) || draw.Bound is not null
                            || HandWrittenDropoutSite.StripConversions(simple.Value) is IBinaryOperation)
                        {
                            return HelperWrite.Other;
                        }

                        drawn = true;
                    }
                    else if (element.Parent is IAssignmentOperation { Target: var target } && target == element
                        || element.Syntax.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.RefExpressionSyntax
                        || element.Parent is IIncrementOrDecrementOperation
                        || element.Parent is IArgumentOperation { Parameter.RefKind: not RefKind.None })
                    {
                        return HelperWrite.Other;
                    }

                    break;
                case IPropertyReferenceOperation { Property.Name: "Length" }:
                    break;
                case IArgumentOperation { Parent: IInvocationOperation inner } handed:
                    switch (HelperFill(inner, handed, root, calleeModel, callInLoop || IsInLoop(inner, calleeBody), depth + 1, cancellationToken))
                    {
                        case HelperWrite.Draws:
                            drawn = true;
                            break;
                        default:
                            // Handed on to what the model cannot read (`Array.Fill(d, 0.5)`): it may write anything.
                            return HelperWrite.Other;
                    }

                    break;
                default:
                    return HelperWrite.Other;
            }
        }

        return drawn ? HelperWrite.Draws : HelperWrite.Nothing;
    }

    private static bool InsideNestedFunction(IOperation operation, IOperation body)
    {
        for (IOperation? current = operation.Parent; current is not null && current != body; current = current.Parent)
        {
            if (current is ILocalFunctionOperation or IAnonymousFunctionOperation)
            {
                return true;
            }
        }

        return false;
    }
}