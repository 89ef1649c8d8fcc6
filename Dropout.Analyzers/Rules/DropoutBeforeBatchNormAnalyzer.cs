using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP009: a dropout layer whose output goes straight into batch normalization (Li et al., "Understanding the
/// Disharmony between Dropout and Batch Normalization by Variance Shift", CVPR 2019). Recognized in three shapes: a
/// dropout forward statement followed by a batch-norm call on the same buffer; a layer list (array, collection
/// initializer, params arguments) with a dropout layer directly before a batch-norm layer; and two consecutive
/// <c>model.Add(...)</c> statements that add them in that order. A batch-norm layer is a type or method whose name
/// contains BatchNorm.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DropoutBeforeBatchNormAnalyzer : DiagnosticAnalyzer
{
    private const string BatchNormWord = "BatchNorm";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.DropoutBeforeBatchNorm);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (DropoutSymbols.TryCreate(start.Compilation) is not { } symbols)
            {
                return;
            }

            start.RegisterOperationAction(
                operationContext => AnalyzeStatements(operationContext, ((IBlockOperation)operationContext.Operation).Operations, symbols),
                OperationKind.Block);
            start.RegisterOperationAction(
                operationContext => AnalyzeSequence(operationContext, ((IArrayInitializerOperation)operationContext.Operation).ElementValues.CastArray<IOperation?>(), symbols),
                OperationKind.ArrayInitializer);
            start.RegisterOperationAction(
                operationContext => AnalyzeSequence(
                    operationContext,
                    ((IObjectOrCollectionInitializerOperation)operationContext.Operation).Initializers
                        .Select(initializer => (IOperation?)(initializer is IInvocationOperation { Arguments.Length: 1 } add ? add.Arguments[0].Value : initializer))
                        .ToImmutableArray(),
                    symbols),
                OperationKind.ObjectOrCollectionInitializer);
        });
    }

    // Every block of the compilation comes here: each statement's top invocation is read once, in place, with no array
    // built per block.
    private static void AnalyzeStatements(OperationAnalysisContext context, ImmutableArray<IOperation> statements, DropoutSymbols symbols)
    {
        IInvocationOperation? previous = null;
        foreach (IOperation statement in statements)
        {
            IInvocationOperation? current = TopInvocation(statement);
            if (previous is not null && current is not null
                && (IsForwardThenBatchNormOnSameBuffer(previous, current, symbols) || IsAddDropoutThenAddBatchNorm(previous, current, symbols)))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DropoutBeforeBatchNorm, current.Syntax.GetLocation()));
            }

            previous = current;
        }
    }

    // The elements of an array or collection initializer: a dropout layer created right before a batch-norm layer.
    private static void AnalyzeSequence(OperationAnalysisContext context, ImmutableArray<IOperation?> items, DropoutSymbols symbols)
    {
        for (int index = 1; index < items.Length; index++)
        {
            IOperation? previous = items[index - 1];
            IOperation? current = items[index];
            if (previous is null || current is null)
            {
                continue;
            }

            if (IsDropoutLayer(previous, symbols) && IsBatchNormLayer(current))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DropoutBeforeBatchNorm, current.Syntax.GetLocation()));
            }
        }
    }

    // The invocation a statement consists of: `f(x);`, `y = f(x);` or `var y = f(x);`.
    private static IInvocationOperation? TopInvocation(IOperation statement) => statement switch
    {
        IExpressionStatementOperation { Operation: IInvocationOperation invocation } => invocation,
        IExpressionStatementOperation { Operation: IAssignmentOperation { Value: var value } } => HandWrittenDropoutSite.StripConversions(value) as IInvocationOperation,
        IVariableDeclarationGroupOperation { Declarations.Length: 1 } group when group.Declarations[0].Declarators.Length == 1 && group.Declarations[0].Declarators[0].Initializer is { } initializer =>
            HandWrittenDropoutSite.StripConversions(initializer.Value) as IInvocationOperation,
        _ => null,
    };

    private static bool IsForwardThenBatchNormOnSameBuffer(IOperation previous, IOperation current, DropoutSymbols symbols)
    {
        // The name test first: the forward test reads the callee's attributes.
        if (previous is not IInvocationOperation forward || current is not IInvocationOperation batchNorm || !IsBatchNormCall(batchNorm) || !IsDropoutForward(forward, symbols))
        {
            return false;
        }

        var buffers = new HashSet<ISymbol>(ArgumentSymbols(forward), SymbolEqualityComparer.Default);
        return ArgumentSymbols(batchNorm).Any(buffers.Contains);
    }

    private static bool IsAddDropoutThenAddBatchNorm(IOperation previous, IOperation current, DropoutSymbols symbols) =>
        previous is IInvocationOperation { Instance: { } firstBuilder } addDropout
        && current is IInvocationOperation { Instance: { } secondBuilder } addBatchNorm
        && HandWrittenDropoutSite.ReferencedSymbol(firstBuilder) is { } builder
        && SymbolEqualityComparer.Default.Equals(builder, HandWrittenDropoutSite.ReferencedSymbol(secondBuilder))
        && addDropout.Arguments.Any(argument => IsDropoutLayer(argument.Value, symbols))
        && addBatchNorm.Arguments.Any(argument => IsBatchNormLayer(argument.Value));

    private static bool IsDropoutForward(IInvocationOperation invocation, DropoutSymbols symbols) =>
        symbols.IsKernelMethod(invocation.TargetMethod, "Forward")
        || DropoutSymbols.HasAttribute(invocation.TargetMethod, symbols.DropoutAttribute)
        || (invocation.TargetMethod.Name is "Forward" or "DropoutForward" && symbols.IsDropoutSiteType(invocation.Instance?.Type));

    private static bool IsBatchNormCall(IInvocationOperation invocation) =>
        invocation.TargetMethod.Name.IndexOf(BatchNormWord, StringComparison.OrdinalIgnoreCase) >= 0
        || (invocation.Instance?.Type?.Name.IndexOf(BatchNormWord, StringComparison.OrdinalIgnoreCase) ?? -1) >= 0;

    private static bool IsDropoutLayer(IOperation value, DropoutSymbols symbols) =>
        HandWrittenDropoutSite.StripConversions(value) is IObjectCreationOperation creation && symbols.IsDropoutSiteType(creation.Type);

    private static bool IsBatchNormLayer(IOperation value) =>
        HandWrittenDropoutSite.StripConversions(value) is IObjectCreationOperation { Type: { } type } && type.Name.IndexOf(BatchNormWord, StringComparison.OrdinalIgnoreCase) >= 0;

    private static IEnumerable<ISymbol> ArgumentSymbols(IInvocationOperation invocation)
    {
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            IOperation value = HandWrittenDropoutSite.StripConversions(argument.Value);
            if (value is IInvocationOperation { TargetMethod.Name: "AsSpan" } asSpan)
            {
                value = HandWrittenDropoutSite.StripConversions(asSpan.Instance ?? (asSpan.Arguments.Length > 0 ? asSpan.Arguments[0].Value : asSpan));
            }

            if (HandWrittenDropoutSite.ReferencedSymbol(value) is { } symbol)
            {
                yield return symbol;
            }
        }
    }
}
