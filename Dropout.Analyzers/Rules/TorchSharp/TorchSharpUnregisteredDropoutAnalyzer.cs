using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// DRP020: dropout that <c>eval()</c> cannot reach. A module class keeps a dropout module (or a module holding one) in a
/// field but never calls <c>RegisterComponents()</c> and no registering parent holds it (a root model), or keeps
/// dropout modules in a <c>List&lt;&gt;</c> or an array, which <c>RegisterComponents()</c> skips, without registering
/// them by hand. TorchSharp issue 549: dropout stays on at inference.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed partial class TorchSharpUnregisteredDropoutAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property present when the diagnostic sits on a constructor (block- or expression-bodied) that the fix can end with <c>RegisterComponents();</c>.</summary>
    public const string AddRegisterComponentsProperty = "AddRegisterComponents";

    private static readonly ImmutableDictionary<string, string?> FixableProperties =
        ImmutableDictionary<string, string?>.Empty.Add(AddRegisterComponentsProperty, "true");

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.TorchSharpUnregisteredDropout);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (TorchSharpSymbols.TryCreate(start.Compilation) is not { } symbols)
            {
                return;
            }

            var models = new TorchSharpModels(start.Compilation, symbols);
            start.RegisterSymbolStartAction(symbolStart => OnType(symbolStart, models), SymbolKind.NamedType);
        });
    }

    private static void OnType(SymbolStartAnalysisContext context, TorchSharpModels models)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        // A stand-in for TorchSharp declared in source (its Module base keeps children in a List<Module>) is the
        // package's code, not a user's module that RegisterComponents() fails to reach.
        if (!models.Symbols.IsSourceModuleClass(type) || models.Symbols.IsTorchSharpOwnType(type))
        {
            return;
        }

        var state = new TypeState();
        context.RegisterOperationAction(operation => Collect(operation, type, models, state), OperationKind.Invocation, OperationKind.ObjectCreation);
        context.RegisterSymbolEndAction(end => Report(end, type, models, state));
    }

    private static void Collect(OperationAnalysisContext context, INamedTypeSymbol type, TorchSharpModels models, TypeState state)
    {
        IOperation operation = context.Operation;
        if (operation is IInvocationOperation invocation)
        {
            switch (invocation.TargetMethod.Name)
            {
                case "RegisterComponents" when models.Symbols.IsModuleType(invocation.TargetMethod.ContainingType):
                    state.Registers = true;
                    RecordRegistration(context, invocation, state);
                    return;
                case "register_module" or "add_module" when models.Symbols.IsModuleType(invocation.TargetMethod.ContainingType):
                    state.RegistersByHand = true;
                    return;
            }
        }

        // A dropout module, or a module known to hold one, is created here: which member of this module keeps it?
        // (Created inside forward it is DRP021's, not a submodule.)
        if (!models.Symbols.IsDropoutModuleType(operation.Type) && models.HasDropout(operation.Type) != true
            || context.ContainingSymbol is IMethodSymbol { Name: "forward" })
        {
            return;
        }

        if (StoringMember(operation, type) is { } member)
        {
            state.DropoutMembers.TryAdd(member, 0);
            RecordConstructorStore(context, operation, member, state);
        }
        else if (context.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor } or IFieldSymbol or IPropertySymbol)
        {
            // Built during construction and reaching a member through locals (a list of (name, module) pairs handed
            // to Sequential, say): the module holds dropout, though not in a member this rule can name.
            state.CreatesDropoutInConstruction = true;
        }
    }

    // Follows a created value up to the member it is stored in: `drop = Dropout(p)`, a field initializer,
    // `layers.Add(Dropout(p))`, or an argument of a container built into a member (`seq = Sequential(..., Dropout(p))`).
    private static ISymbol? StoringMember(IOperation operation, INamedTypeSymbol type)
    {
        for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case ISimpleAssignmentOperation assignment:
                    return OwnMember(assignment.Target, type);
                case IFieldInitializerOperation fieldInitializer:
                    return fieldInitializer.InitializedFields.FirstOrDefault();
                case IPropertyInitializerOperation propertyInitializer:
                    return propertyInitializer.InitializedProperties.FirstOrDefault();
                case IInvocationOperation { Instance: { } receiver } call when call.TargetMethod.Name is "Add" or "Insert" or "append" or "AddRange" or "extend":
                    if (OwnMember(receiver, type) is { } collection)
                    {
                        return collection;
                    }

                    break;
                case IVariableDeclaratorOperation or IAnonymousFunctionOperation or ILocalFunctionOperation or IReturnOperation:
                    return null;
            }
        }

        return null;
    }

    private static ISymbol? OwnMember(IOperation target, INamedTypeSymbol type)
    {
        ISymbol? member = target switch
        {
            IFieldReferenceOperation field when field.Instance is null or IInstanceReferenceOperation => field.Field,
            IPropertyReferenceOperation property when property.Instance is null or IInstanceReferenceOperation => property.Property,
            _ => null,
        };
        return member is not null && TorchSharpSymbols.DerivesFrom(type, member.ContainingType.OriginalDefinition) ? member : null;
    }

    private static void Report(SymbolAnalysisContext context, INamedTypeSymbol type, TorchSharpModels models, TypeState state)
    {
        if (state.RegistersByHand)
        {
            // register_module by hand: the author manages registration; this rule cannot follow which names it covers.
            return;
        }

        ReportStoresAfterRegistration(context, models, state);

        // Members whose declared type says they hold dropout count even when assigned from a constructor parameter.
        foreach (ISymbol member in type.GetMembers())
        {
            if (TorchSharpModels.MemberType(member) is { } memberType && !member.IsImplicitlyDeclared && models.HasDropout(memberType) == true)
            {
                state.DropoutMembers.TryAdd(member, 0);
            }
        }

        var modules = new List<ISymbol>();
        foreach (ISymbol member in state.DropoutMembers.Keys.OrderBy(m => m.Locations.FirstOrDefault()?.SourceSpan.Start ?? 0))
        {
            ITypeSymbol? memberType = TorchSharpModels.MemberType(member);
            if (memberType is null)
            {
                continue;
            }

            if (IsSkippedCollection(memberType, models))
            {
                if (member.Locations.FirstOrDefault() is { IsInSource: true } location)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.TorchSharpUnregisteredDropout,
                        location,
                        $"'{member.Name}' is a {memberType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}, which RegisterComponents() skips (use ModuleList)",
                        $"the modules in '{member.Name}'"));
                }
            }
            else
            {
                modules.Add(member);
            }
        }

        if (modules.Count == 0 && state.CreatesDropoutInConstruction && !type.GetMembers().Any(m => m is IFieldSymbol { IsStatic: false } field && IsSkippedCollection(field.Type, models)))
        {
            modules.Add(type);
        }

        // Reported where no registration can reach the dropout: the class is used as a root model and no registering
        // module holds it. (A block constructed nowhere in the compilation may have a registering parent elsewhere.)
        if (modules.Count == 0 || state.Registers || models.RegistersComponents(type)
            || models.IsHeldByRegisteringParent(type, context.CancellationToken)
            || !models.IsUsedAsRoot(type, context.CancellationToken))
        {
            return;
        }

        string reason = $"'{type.Name}' is used as a root model but never calls RegisterComponents()";
        string held = modules.Count == 1 && SymbolEqualityComparer.Default.Equals(modules[0], type)
            ? "the dropout modules it builds"
            : string.Join(", ", modules.Select(m => "'" + m.Name + "'"));
        var constructors = type.InstanceConstructors
            .Where(constructor => !constructor.IsImplicitlyDeclared)
            .Select(constructor => constructor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken))
            .OfType<ConstructorDeclarationSyntax>()
            .Where(constructor => constructor.Initializer is not { ThisOrBaseKeyword.ValueText: "this" })
            .ToList();
        if (constructors.Count == 0)
        {
            if (type.Locations.FirstOrDefault() is { IsInSource: true } location)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.TorchSharpUnregisteredDropout, location, reason, held));
            }

            return;
        }

        foreach (ConstructorDeclarationSyntax constructor in constructors)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.TorchSharpUnregisteredDropout,
                constructor.Identifier.GetLocation(),
                constructor.Body is not null || constructor.ExpressionBody is not null ? FixableProperties : ImmutableDictionary<string, string?>.Empty,
                reason,
                held));
        }
    }

    // List<>, arrays and other collections that are not ModuleList/ModuleDict (or another module): RegisterComponents()
    // registers only fields whose value is a Module, Parameter or Tensor.
    private static bool IsSkippedCollection(ITypeSymbol type, TorchSharpModels models) =>
        type is IArrayTypeSymbol
        || (!models.Symbols.IsModuleType(type) && type.AllInterfaces.Any(i => i.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T));

    private sealed class TypeState
    {
        private int _registers;
        private int _registersByHand;
        private int _createsDropoutInConstruction;

        public bool Registers
        {
            get => Volatile.Read(ref _registers) != 0;
            set => Volatile.Write(ref _registers, value ? 1 : 0);
        }

        public bool RegistersByHand
        {
            get => Volatile.Read(ref _registersByHand) != 0;
            set => Volatile.Write(ref _registersByHand, value ? 1 : 0);
        }

        public bool CreatesDropoutInConstruction
        {
            get => Volatile.Read(ref _createsDropoutInConstruction) != 0;
            set => Volatile.Write(ref _createsDropoutInConstruction, value ? 1 : 0);
        }

        public ConcurrentDictionary<ISymbol, byte> DropoutMembers { get; } = new(SymbolEqualityComparer.Default);

        /// <summary>Unconditional <c>RegisterComponents()</c> calls of each constructor, by position.</summary>
        public ConcurrentBag<(IMethodSymbol Constructor, int Position)> Registrations { get; } = new();

        /// <summary>Dropout modules (or modules holding one) stored into a member in a constructor, by position.</summary>
        public ConcurrentBag<(IMethodSymbol Constructor, int Position, ISymbol Member, Location Location)> ConstructorStores { get; } = new();
    }
}
