using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// Whether a condition around dropout is a setting fixed when the model is built (<c>if (layer.DropoutRate &gt; 0)</c>,
/// <c>if (config.useDropout)</c>, <c>if (_rate != 0)</c> with <c>_rate</c> written only in the constructor) rather than a
/// training flag or mode. A setting has the same value while training and while predicting, so an <c>if</c> on it gives the
/// dropout no inference path. Decided by data flow over the whole compilation: every value the condition reads is a
/// constant or a field or property that nothing writes outside construction (a constructor, a field or property
/// initializer, an object initializer). A parameter (callers may pass it differently), a local, a call, a member written
/// in any method (<c>Predict</c> setting the rate to 0, <c>Train</c> setting a flag, a setter method), a computed property,
/// a member of the dropout type itself that other code can set (a public setter: the users of a layer may switch it from
/// a file not compiled here), and a member named like a mode (<c>IsTraining</c>, <c>Mode</c>, <c>Inference</c>) all leave
/// the condition a possible inference path.
/// </summary>
internal static class SettingConditions
{
    private static readonly string[] ModeWords = ["train", "infer", "eval", "test", "predict", "mode", "phase", "learn", "determin", "stochastic", "valid"];

    // Per compilation and member name: whether any tree writes a member of that name outside construction.
    private static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<string, bool>> WrittenOutsideConstruction = new();

    /// <summary>Whether <paramref name="condition"/> reads nothing but constants and members fixed at construction.</summary>
    /// <param name="condition">The condition (or a switched value) to judge.</param>
    /// <param name="cancellationToken">Cancels the search of other files for writes.</param>
    /// <param name="includeEnums">Whether an enum member fixed at construction (a layer's kind a switch dispatches on) is a setting too.</param>
    public static bool IsFixedSetting(IOperation condition, CancellationToken cancellationToken = default, bool includeEnums = false)
    {
        if (condition.SemanticModel is not { } semanticModel
            || semanticModel.GetEnclosingSymbol(condition.Syntax.SpanStart, cancellationToken)?.ContainingType is not { } enclosingType)
        {
            return false;
        }

        bool readsMember = false;
        return IsFixed(condition) && readsMember;

        bool IsFixed(IOperation operation)
        {
            if (operation.ConstantValue.HasValue)
            {
                return true;
            }

            switch (operation)
            {
                case IConversionOperation conversion:
                    return IsFixed(conversion.Operand);
                case IParenthesizedOperation parenthesized:
                    return IsFixed(parenthesized.Operand);
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not or UnaryOperatorKind.Minus or UnaryOperatorKind.Plus } unary:
                    return IsFixed(unary.Operand);
                case IBinaryOperation binary:
                    return IsFixed(binary.LeftOperand) && IsFixed(binary.RightOperand);
                case IIsPatternOperation { Pattern: IRelationalPatternOperation or IConstantPatternOperation or INegatedPatternOperation } pattern:
                    return IsFixed(pattern.Value);
                // `class Layer(double rate, bool useDropout)`: a primary constructor's parameter read in a member is the
                // object's state from construction, like a private field.
                case IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } constructor } primary
                    when !SymbolEqualityComparer.Default.Equals(semanticModel.GetEnclosingSymbol(primary.Syntax.SpanStart, cancellationToken), constructor):
                    readsMember = true;
                    return IsSettingMember(primary.Parameter, primary.Parameter.Type, isAutoOrField: true, instance: null);
                case IFieldReferenceOperation field:
                    readsMember = true;
                    return IsSettingMember(field.Field, field.Field.Type, isAutoOrField: true, field.Instance);
                case IPropertyReferenceOperation { Property.IsIndexer: false } property:
                    readsMember = true;
                    return IsSettingMember(property.Property, property.Property.Type, IsAutoProperty(property.Property, cancellationToken), property.Instance);
                default:
                    return false;
            }
        }

        bool IsSettingMember(ISymbol member, ITypeSymbol type, bool isAutoOrField, IOperation? instance)
        {
            if (!isAutoOrField
                || !(type.SpecialType is SpecialType.System_Boolean or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal or SpecialType.System_Int32 or SpecialType.System_Int64
                    || (includeEnums && type.TypeKind == TypeKind.Enum))
                || member.DeclaringSyntaxReferences.IsEmpty
                || ModeWords.Any(word => member.Name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0)
                || IsMonteCarloName(member.Name)
                || (instance is not null && instance is not IInstanceReferenceOperation && !IsPlainReceiver(instance)))
            {
                return false;
            }

            // The dropout type's own member that code elsewhere can set is that code's switch (`layer.Enabled = false`
            // before predicting, in a file that may not be compiled here): unknown, so not a setting.
            if (member is not IParameterSymbol && IsTypeOrBase(member.ContainingType, enclosingType) && IsSettableFromOutside(member))
            {
                return false;
            }

            return !IsWrittenOutsideConstruction(semanticModel.Compilation, member.Name, cancellationToken);
        }
    }

    // `_useMcDropout`, `MonteCarloSamples`, `EstimateUncertainty`: a switch for dropout at prediction on purpose (Monte Carlo
    // dropout), which is a mode of its own and says the dropout is meant to run when predicting.
    private static readonly System.Text.RegularExpressions.Regex MonteCarloWord = new(
        "(?i:montecarlo|monte_carlo|uncertain|bayes|sampl)|(^|_|[a-z])(mc|Mc|MC)([A-Z_]|$)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static bool IsMonteCarloName(string name) => MonteCarloWord.IsMatch(name);

    // `layer.DropoutRate`, `config.useDropout`, `_layers[l].Rate`: the object a setting is read from, the model's own state.
    // A call (`GetConfig()`) may return another object each time, and an object the caller passes (`x.width == 1`, a batch of
    // one at prediction) or a local made from one is whatever that call hands in: a per-call value, not a setting.
    private static bool IsPlainReceiver(IOperation instance) => instance switch
    {
        IConversionOperation conversion => IsPlainReceiver(conversion.Operand),
        IInstanceReferenceOperation => true,
        ILocalReferenceOperation local => !IsMadeFromParameter(local),
        IFieldReferenceOperation field => field.Instance is null || IsPlainReceiver(field.Instance),
        IPropertyReferenceOperation property => property.Instance is null || IsPlainReceiver(property.Instance),
        IArrayElementReferenceOperation element => IsPlainReceiver(element.ArrayReference),
        _ => false,
    };

    // `foreach (var layer in _layers)`, `var layer = layers[l]`: a local read from the model's own state. One declared from a
    // parameter (`var m = input.Matrix`, `foreach (var row in batch)`) or without a visible initializer is not.
    private static bool IsMadeFromParameter(ILocalReferenceOperation local)
    {
        if (local.SemanticModel is not { } semanticModel || local.Local.DeclaringSyntaxReferences.Length != 1)
        {
            return true;
        }

        SyntaxNode? source = local.Local.DeclaringSyntaxReferences[0].GetSyntax() switch
        {
            VariableDeclaratorSyntax { Initializer.Value: { } value } => value,
            ForEachStatementSyntax forEach => forEach.Expression,
            _ => null,
        };
        return source is null || source.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>()
            .Any(identifier => semanticModel.GetSymbolInfo(identifier).Symbol is IParameterSymbol);
    }

    private static bool IsAutoProperty(IPropertySymbol property, CancellationToken cancellationToken) =>
        property.DeclaringSyntaxReferences.Length > 0
        && property.DeclaringSyntaxReferences.All(reference => reference.GetSyntax(cancellationToken) is PropertyDeclarationSyntax { ExpressionBody: null, AccessorList: { } accessors }
            && accessors.Accessors.All(accessor => accessor.Body is null && accessor.ExpressionBody is null));

    private static bool IsSettableFromOutside(ISymbol member) => member switch
    {
        IFieldSymbol field => !field.IsReadOnly && !field.IsConst && field.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.Protected or Accessibility.ProtectedOrInternal,
        IPropertySymbol property => property.SetMethod is { IsInitOnly: false } setter && setter.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.Protected or Accessibility.ProtectedOrInternal,
        _ => true,
    };

    private static bool IsTypeOrBase(INamedTypeSymbol? candidate, INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, candidate?.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether any file of the compilation writes a member named <paramref name="name"/> outside construction: an
    /// assignment, compound assignment, increment or <c>ref</c>/<c>out</c> argument in a method, accessor, lambda or local
    /// function. Read from syntax (another file's semantic model may not be asked for), so a write to another member of
    /// the same name counts too: the answer errs towards "a mode", which keeps the rules silent.
    /// </summary>
    public static bool IsWrittenOutsideConstruction(Compilation compilation, string name, CancellationToken cancellationToken) =>
        WrittenOutsideConstruction.GetValue(compilation, _ => new ConcurrentDictionary<string, bool>(StringComparer.Ordinal))
            .GetOrAdd(name, key => compilation.SyntaxTrees.Any(tree => TreeWritesOutsideConstruction(tree, key, cancellationToken)));

    private static bool TreeWritesOutsideConstruction(SyntaxTree tree, string name, CancellationToken cancellationToken)
    {
        if (tree.GetText(cancellationToken).ToString().IndexOf(name, StringComparison.Ordinal) < 0)
        {
            return false;
        }

        foreach (SyntaxToken token in tree.GetRoot(cancellationToken).DescendantTokens())
        {
            if (!token.IsKind(SyntaxKind.IdentifierToken) || token.ValueText != name || token.Parent is not IdentifierNameSyntax identifier || !IsWritten(identifier))
            {
                continue;
            }

            if (!IsConstruction(identifier))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsWritten(IdentifierNameSyntax identifier)
    {
        SyntaxNode node = identifier;
        if (node.Parent is MemberAccessExpressionSyntax access && access.Name == node || node.Parent is MemberBindingExpressionSyntax)
        {
            node = node.Parent;
            if (node.Parent is ConditionalAccessExpressionSyntax conditional && conditional.WhenNotNull == node)
            {
                node = conditional;
            }
        }

        return node.Parent switch
        {
            AssignmentExpressionSyntax assignment => assignment.Left == node,
            PrefixUnaryExpressionSyntax prefix => prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression),
            PostfixUnaryExpressionSyntax => true,
            ArgumentSyntax argument => !argument.RefKindKeyword.IsKind(SyntaxKind.None),
            _ => false,
        };
    }

    // A constructor, a field or property initializer, or an object initializer (`new NeuralLayer { DropoutRate = 0.5 }`):
    // the value the object is built with. A `with` expression or a lambda inside a constructor is not.
    private static bool IsConstruction(IdentifierNameSyntax identifier)
    {
        foreach (SyntaxNode ancestor in identifier.Ancestors())
        {
            switch (ancestor)
            {
                case InitializerExpressionSyntax initializer when initializer.IsKind(SyntaxKind.ObjectInitializerExpression)
                    && initializer.Parent is BaseObjectCreationExpressionSyntax
                    && identifier.Parent is AssignmentExpressionSyntax { Parent: InitializerExpressionSyntax owner } && owner == initializer:
                    return true;
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or WithExpressionSyntax:
                    return false;
                case ConstructorDeclarationSyntax:
                    return true;
                case EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent.Parent: FieldDeclarationSyntax } } or EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax }:
                    return true;
                case MemberDeclarationSyntax or AccessorDeclarationSyntax:
                    return false;
            }
        }

        return false;
    }
}
