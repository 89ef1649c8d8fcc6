using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// The values a local, field or property can hold, as the operations that give them: initializers, assignments and
/// property getters. This is the local and field flow the dropout model follows (<c>_scale = 1 / (1 - rate)</c> in a
/// constructor, <c>var u = rng.NextDouble()</c> before the comparison). A result is <see cref="IsComplete"/> only when
/// every write can be seen: a member writable from outside its type, one declared in another file, or a compound
/// assignment makes it incomplete, and rules treat an incomplete value as unknown.
/// </summary>
internal readonly struct SymbolValues
{
    public SymbolValues(ImmutableArray<IOperation> values, bool isComplete)
    {
        Values = values;
        IsComplete = isComplete;
    }

    public static SymbolValues None { get; } = new(ImmutableArray<IOperation>.Empty, isComplete: false);

    public ImmutableArray<IOperation> Values { get; }

    public bool IsComplete { get; }

    /// <summary>The type of the value a field, property, local or parameter holds; null for any other symbol.</summary>
    public static ITypeSymbol? TypeOf(ISymbol? symbol) => symbol switch
    {
        IFieldSymbol field => field.Type,
        IPropertySymbol property => property.Type,
        ILocalSymbol local => local.Type,
        IParameterSymbol parameter => parameter.Type,
        _ => null,
    };

    /// <summary>The values of a local in the operation tree that contains <paramref name="context"/>.</summary>
    public static SymbolValues OfLocal(ILocalSymbol local, IOperation context)
    {
        IOperation root = context.TreeRoot();

        ImmutableArray<IOperation>.Builder values = ImmutableArray.CreateBuilder<IOperation>();
        bool complete = true;
        foreach (IOperation operation in root.Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    if (declarator.GetVariableInitializer() is { } initializer)
                    {
                        values.Add(initializer.Value);
                    }

                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when SymbolEqualityComparer.Default.Equals(target.Local, local):
                    values.Add(assignment.Value);
                    break;
                case ICompoundAssignmentOperation { Target: ILocalReferenceOperation target } when SymbolEqualityComparer.Default.Equals(target.Local, local):
                case ICoalesceAssignmentOperation { Target: ILocalReferenceOperation target2 } when SymbolEqualityComparer.Default.Equals(target2.Local, local):
                case IIncrementOrDecrementOperation { Target: ILocalReferenceOperation target3 } when SymbolEqualityComparer.Default.Equals(target3.Local, local):
                case IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref, Value: ILocalReferenceOperation target4 } when SymbolEqualityComparer.Default.Equals(target4.Local, local):
                    complete = false;
                    break;
            }
        }

        return new SymbolValues(values.ToImmutable(), complete);
    }

    /// <summary>The values of a field or property of a type declared in <paramref name="semanticModel"/>'s tree (initializers, getters and every assignment in the type).</summary>
    public static SymbolValues OfMember(ISymbol member, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (member.ContainingType is not { } type || member.DeclaringSyntaxReferences.IsEmpty)
        {
            return None;
        }

        bool complete = !IsWritableFromOutside(member);
        ImmutableArray<IOperation>.Builder values = ImmutableArray.CreateBuilder<IOperation>();
        SemanticModel declaringModel = semanticModel;
        foreach (SyntaxReference reference in member.DeclaringSyntaxReferences)
        {
            // Another declaration of a partial dropout type is read with its own tree's model, and so is the base class of a
            // dropout type of this file (its inherited rate or output); any other file is unknown.
            if ((HandWrittenDropoutModel.SemanticModelFor(declaringModel, reference.SyntaxTree, member, cancellationToken)
                    ?? HandWrittenDropoutModel.SemanticModelForBaseType(declaringModel, reference.SyntaxTree, type, cancellationToken)) is not { } referenceModel)
            {
                return None;
            }

            semanticModel = referenceModel;
            switch (reference.GetSyntax(cancellationToken))
            {
                case VariableDeclaratorSyntax { Initializer.Value: { } initializer }:
                    AddOperation(values, semanticModel.GetOperation(initializer, cancellationToken));
                    break;
                case PropertyDeclarationSyntax property:
                    if (property.Initializer?.Value is { } propertyInitializer)
                    {
                        AddOperation(values, semanticModel.GetOperation(propertyInitializer, cancellationToken));
                    }

                    if (property.ExpressionBody?.Expression is { } body)
                    {
                        AddOperation(values, semanticModel.GetOperation(body, cancellationToken));
                    }

                    foreach (AccessorDeclarationSyntax accessor in property.AccessorList?.Accessors ?? default)
                    {
                        if (accessor.Keyword.ValueText != "get")
                        {
                            continue;
                        }

                        if (accessor.ExpressionBody?.Expression is { } getter)
                        {
                            AddOperation(values, semanticModel.GetOperation(getter, cancellationToken));
                        }

                        foreach (ReturnStatementSyntax returned in accessor.Body?.DescendantNodes().OfType<ReturnStatementSyntax>() ?? [])
                        {
                            if (returned.Expression is { } value)
                            {
                                AddOperation(values, semanticModel.GetOperation(value, cancellationToken));
                            }
                        }
                    }

                    break;
            }
        }

        foreach (SyntaxReference typeReference in type.DeclaringSyntaxReferences)
        {
            if ((HandWrittenDropoutModel.SemanticModelFor(declaringModel, typeReference.SyntaxTree, type, cancellationToken)
                    ?? HandWrittenDropoutModel.SemanticModelForBaseType(declaringModel, typeReference.SyntaxTree, type, cancellationToken)) is not { } typeModel)
            {
                return new SymbolValues(values.ToImmutable(), isComplete: false);
            }

            complete &= AddAssignments(typeReference.GetSyntax(cancellationToken), typeModel);
        }

        // A protected member is written by the type and the types derived from it: with every derived type in a file read
        // here (this file, or another declaration of a partial type), its values are all seen.
        if (IsWritableOnlyByDerivedTypes(member))
        {
            bool allDerivedSeen = true;
            foreach ((TypeDeclarationSyntax derived, SemanticModel? derivedModel) in HandWrittenDropoutModel.DerivedDeclarations(
                type, declaringModel.Compilation, tree => HandWrittenDropoutModel.SemanticModelFor(declaringModel, tree, type, cancellationToken), cancellationToken))
            {
                allDerivedSeen &= derivedModel is not null && AddAssignments(derived, derivedModel);
            }

            complete = allDerivedSeen;
        }

        return new SymbolValues(values.ToImmutable(), complete);

        // Every assignment to the member in one declaration; false when one of them is not a plain value.
        bool AddAssignments(SyntaxNode declaration, SemanticModel model)
        {
            bool plain = true;
            foreach (SyntaxNode node in declaration.DescendantNodes())
            {
                if (node is not AssignmentExpressionSyntax assignment || LastName(assignment.Left) != member.Name)
                {
                    continue;
                }

                if (model.GetOperation(assignment, cancellationToken) is not IAssignmentOperation operation
                    || !SymbolEqualityComparer.Default.Equals(HandWrittenDropoutSite.ReferencedSymbol(operation.Target), member))
                {
                    continue;
                }

                if (operation is ISimpleAssignmentOperation simple)
                {
                    values.Add(simple.Value);
                }
                else if (operation is ICoalesceAssignmentOperation coalesce)
                {
                    // `_rng ??= new Random()`: the only value it can take besides the ones assigned elsewhere.
                    values.Add(coalesce.Value);
                }
                else
                {
                    plain = false;
                }
            }

            return plain;
        }
    }

    // A protected field (not readonly) or a property with a protected setter: nothing outside the type's hierarchy writes it.
    private static bool IsWritableOnlyByDerivedTypes(ISymbol member) => member switch
    {
        IFieldSymbol field => !field.IsReadOnly && !field.IsConst && field.DeclaredAccessibility is Accessibility.Protected or Accessibility.ProtectedAndInternal,
        IPropertySymbol property => property.SetMethod?.DeclaredAccessibility is Accessibility.Protected or Accessibility.ProtectedAndInternal,
        _ => false,
    };

    /// <summary>
    /// The arguments a private method or local function of this file is called with, for one of its parameters:
    /// <c>CreateMask(Rate, ...)</c> makes <c>rate</c> the value of <c>Rate</c>. A local function is called only inside its
    /// type, as a private method is.
    /// </summary>
    public static SymbolValues OfParameter(IParameterSymbol parameter, SemanticModel semanticModel, CancellationToken cancellationToken)
    {
        if (parameter.ContainingSymbol is not IMethodSymbol { ContainingType: { } type } method
            || !(method is { MethodKind: MethodKind.Ordinary, DeclaredAccessibility: Accessibility.Private } || method.MethodKind == MethodKind.LocalFunction)
            || !HandWrittenDropoutModel.AllDeclarationsReadable(type, semanticModel, cancellationToken))
        {
            return None;
        }

        SemanticModel declaringModel = semanticModel;
        ImmutableArray<IOperation>.Builder values = ImmutableArray.CreateBuilder<IOperation>();
        foreach (SyntaxReference typeReference in type.DeclaringSyntaxReferences)
        {
            semanticModel = HandWrittenDropoutModel.SemanticModelFor(declaringModel, typeReference.SyntaxTree, type, cancellationToken)!;
            foreach (SyntaxNode node in typeReference.GetSyntax(cancellationToken).DescendantNodes())
            {
                if (node is IdentifierNameSyntax identifier && identifier.Identifier.ValueText == method.Name && node.Parent is not InvocationExpressionSyntax && node.Parent is not MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax })
                {
                    // A method group passed as a delegate: its callers cannot be seen.
                    return None;
                }

                if (node is InvocationExpressionSyntax invocation
                    && semanticModel.GetOperation(invocation, cancellationToken) is IInvocationOperation call
                    && SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, method.OriginalDefinition))
                {
                    if (call.Arguments.FirstOrDefault(argument => argument.Parameter?.Ordinal == parameter.Ordinal) is not { ArgumentKind: ArgumentKind.Explicit } argument)
                    {
                        return None;
                    }

                    values.Add(argument.Value);
                }
            }
        }

        return new SymbolValues(values.ToImmutable(), isComplete: values.Count > 0);
    }

    private static void AddOperation(ImmutableArray<IOperation>.Builder values, IOperation? operation)
    {
        if (operation is IFieldInitializerOperation fieldInitializer)
        {
            operation = fieldInitializer.Value;
        }
        else if (operation is IPropertyInitializerOperation propertyInitializer)
        {
            operation = propertyInitializer.Value;
        }

        if (operation is not null)
        {
            values.Add(operation);
        }
    }

    private static bool IsWritableFromOutside(ISymbol member) => member switch
    {
        IFieldSymbol field => !field.IsReadOnly && !field.IsConst && field.DeclaredAccessibility is not Accessibility.Private,
        IPropertySymbol property => property.SetMethod is { } setter && setter.DeclaredAccessibility is not Accessibility.Private,
        _ => true,
    };

    private static string? LastName(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        MemberAccessExpressionSyntax memberAccess => memberAccess.Name.Identifier.ValueText,
        _ => null,
    };
}
