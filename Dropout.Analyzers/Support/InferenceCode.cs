using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Dropout.Analyzers;

/// <summary>
/// What rules 6 and 7 share: which methods are inference code, which calls run a model that has dropout, and which
/// operations set a <c>DropoutContext</c>'s mode. One instance lives for one compilation (it caches per type).
/// </summary>
internal sealed class InferenceCode
{
    /// <summary>The .editorconfig key listing the words that make a method inference code, comma separated.</summary>
    public const string MethodNamesOptionKey = "dropout_toolkit.inference_method_names";

    private static readonly ImmutableArray<string> DefaultMethodNameWords =
        ImmutableArray.Create("Predict", "Infer", "Inference", "Evaluate", "Evaluation", "Test", "Validate", "Validation");

    // Unit tests and benchmarks are named Test... but are not inference paths of a model.
    private static readonly ImmutableHashSet<string> TestAttributeNames =
        ImmutableHashSet.Create("FactAttribute", "TheoryAttribute", "TestAttribute", "TestMethodAttribute", "DataTestMethodAttribute", "TestCaseAttribute", "BenchmarkAttribute");

    private const int MaxModelDepth = 3;

    private readonly ConcurrentDictionary<ITypeSymbol, bool> _typesWithDropout = new(SymbolEqualityComparer.Default);
    // The word lists are held in a class: a dictionary whose values are a struct (ImmutableArray) is compiled anew for that
    // instantiation in every build, one of reference types is not.
    private readonly ConcurrentDictionary<string, WordList> _configuredWords = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SyntaxTree, WordList> _wordsByTree = new();

    public InferenceCode(DropoutSymbols symbols)
    {
        Symbols = symbols;
    }

    public DropoutSymbols Symbols { get; }

    // Rules 6 and 7 share one instance per compilation: what one learns of a type (HasDropout) or a file's words the other reuses.
    private static readonly OncePerCompilation<InferenceCode?> Shared = new();

    /// <summary>The helper for a compilation that references the runtime's mode API, or <see langword="null"/>; one instance per compilation, shared by the rules that ask.</summary>
    public static InferenceCode? TryCreate(Compilation compilation) =>
        Shared.Get(compilation, static (c, _) => DropoutSymbols.TryCreate(c) is { DropoutContext: not null, DropoutMode: not null } symbols ? new InferenceCode(symbols) : null, CancellationToken.None);

    /// <summary>Whether <paramref name="method"/> is inference code: marked <c>[Inference]</c> (itself, its property or its type) or named with a configured word, and not opted into Monte Carlo dropout.</summary>
    public bool IsInferenceMethod(IMethodSymbol method, AnalyzerOptions options, SyntaxTree tree)
    {
        // Rules 6 and 7 ask this for every method of the compilation, nearly always of one that is not inference code: the
        // cheap tests come first, and the Monte Carlo opt-in is read only for a method that would otherwise be inference code.
        bool marked = HasInferenceAttribute(method)
            || (method.AssociatedSymbol is { } property && HasInferenceAttribute(property))
            || (method.ContainingType is { } type && HasInferenceAttribute(type));
        if (!marked && !IsNamedAsInference(method, options, tree))
        {
            return false;
        }

        return !IsMonteCarloOptIn(method);
    }

    private bool HasInferenceAttribute(ISymbol symbol) => DropoutSymbols.HasAttribute(symbol, Symbols.InferenceAttribute);

    // Named with a configured word (not Train...), an ordinary method or local function, and not a unit test or benchmark.
    private bool IsNamedAsInference(IMethodSymbol method, AnalyzerOptions options, SyntaxTree tree)
    {
        if (method.MethodKind is not (MethodKind.Ordinary or MethodKind.LocalFunction) || ContainsWord(method.Name, "Train"))
        {
            return false;
        }

        foreach (string word in MethodNameWords(options, tree))
        {
            if (ContainsWord(method.Name, word))
            {
                return !IsTest(method);
            }
        }

        return false;
    }

    /// <summary>The file of <paramref name="method"/>'s body (for a partial method, of its implementation), read from its declaration rather than from its operation blocks.</summary>
    public static SyntaxTree? BodyTree(IMethodSymbol method)
    {
        ImmutableArray<SyntaxReference> references = (method.PartialImplementationPart ?? method).DeclaringSyntaxReferences;
        return references.IsEmpty ? null : references[0].SyntaxTree;
    }

    /// <summary>Whether <paramref name="method"/> (or its type) carries <c>[MonteCarloDropout]</c>.</summary>
    public bool IsMonteCarloOptIn(IMethodSymbol method) =>
        DropoutSymbols.HasAttribute(method, Symbols.MonteCarloDropoutAttribute)
        || (method.ContainingType is { } type && DropoutSymbols.HasAttribute(type, Symbols.MonteCarloDropoutAttribute));

    /// <summary>Whether <paramref name="type"/> is a dropout site or holds one (in a field, a property, an array or a collection), up to three levels deep.</summary>
    public bool HasDropout(ITypeSymbol? type) => type is not null && HasDropout(type, 0);

    /// <summary>The mode an operation switches its context to (<c>ctx.Training()</c>, <c>ctx.Enter(mode)</c>, <c>ctx.Mode = mode</c>), or <see langword="null"/> for anything else; <c>-1</c> stands for a mode that is not a constant.</summary>
    public int? SwitchedMode(IOperation operation)
    {
        switch (operation)
        {
            case IInvocationOperation invocation when SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, Symbols.DropoutContext):
                return invocation.TargetMethod.Name switch
                {
                    "Training" => (int)ModeValue.Training,
                    "Inference" => (int)ModeValue.Inference,
                    "MonteCarlo" => (int)ModeValue.MonteCarlo,
                    "Enter" when invocation.Arguments.Length == 1 => ConstantMode(invocation.Arguments[0].Value),
                    _ => null,
                };
            case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "Mode" } property } assignment
                when SymbolEqualityComparer.Default.Equals(property.Property.ContainingType, Symbols.DropoutContext):
                return ConstantMode(assignment.Value);
            default:
                return null;
        }
    }

    /// <summary>Whether an operation reads the mode (<c>ctx.Mode</c>, <c>ctx.IsDropoutActive</c>): code that does is mode-aware.</summary>
    public bool ReadsMode(IOperation operation) =>
        operation is IPropertyReferenceOperation { Property.Name: "Mode" or "IsDropoutActive" } property
        && SymbolEqualityComparer.Default.Equals(property.Property.ContainingType, Symbols.DropoutContext)
        && !(operation.Parent is ISimpleAssignmentOperation assignment && assignment.Target == operation);

    /// <summary>Whether <paramref name="invocation"/> calls <c>DropoutKernels.Forward</c>, which drops whatever the mode.</summary>
    public bool IsKernelForward(IInvocationOperation invocation) =>
        Symbols.IsKernelMethod(invocation.TargetMethod, "Forward") || Symbols.IsKernelMethod(invocation.TargetMethod, "FillMask");

    /// <summary>Whether <paramref name="invocation"/> runs a model with dropout: an instance call on a type that has dropout, or a <c>[Dropout]</c> method.</summary>
    public bool RunsModelWithDropout(IInvocationOperation invocation)
    {
        IMethodSymbol target = invocation.TargetMethod;
        if (DropoutSymbols.HasAttribute(target, Symbols.DropoutAttribute))
        {
            return true;
        }

        if (invocation.Instance is null
            || target.ContainingType?.SpecialType == SpecialType.System_Object
            || SymbolEqualityComparer.Default.Equals(target.ContainingType, Symbols.DropoutContext)
            || SymbolEqualityComparer.Default.Equals(target.ContainingType, Symbols.DropoutStream)
            || ContainsWord(target.Name, "Train")
            || ContainsWord(target.Name, "Backward"))
        {
            return false;
        }

        return HasDropout(invocation.Instance.Type);
    }

    /// <summary>Whether <paramref name="name"/> contains <paramref name="word"/> as a PascalCase word (EvaluateAccuracy, RunInference; not Backtest).</summary>
    public static bool ContainsWord(string name, string word)
    {
        for (int start = name.IndexOf(word, StringComparison.Ordinal); start >= 0; start = name.IndexOf(word, start + 1, StringComparison.Ordinal))
        {
            bool startsWord = start == 0 || !char.IsLetter(name[start - 1]) || char.IsLower(name[start - 1]);
            int end = start + word.Length;
            bool endsWord = end == name.Length || !char.IsLower(name[end]);
            if (startsWord && endsWord)
            {
                return true;
            }
        }

        return false;
    }

    // Rules 6 and 7 ask for every method of the compilation: the words are looked up once per file (reading the options
    // of a file is a dictionary walk), and returned as the array itself (as an IEnumerable it was boxed on every call).
    private ImmutableArray<string> MethodNameWords(AnalyzerOptions options, SyntaxTree tree)
    {
        if (_wordsByTree.TryGetValue(tree, out WordList? known))
        {
            return known.Words;
        }

        WordList words = options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(MethodNamesOptionKey, out string? configured)
            // Parsed once per distinct setting, not once per file.
            ? _configuredWords.GetOrAdd(configured, static text => new WordList(text.Split(',').Select(word => word.Trim()).Where(word => word.Length > 0).ToImmutableArray()))
            : DefaultWordList;
        _wordsByTree.TryAdd(tree, words);
        return words.Words;
    }

    private static readonly WordList DefaultWordList = new(DefaultMethodNameWords);

    private sealed class WordList
    {
        public WordList(ImmutableArray<string> words)
        {
            Words = words;
        }

        public ImmutableArray<string> Words { get; }
    }

    private static bool IsTest(IMethodSymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass && TestAttributeNames.Contains(attributeClass.Name))
            {
                return true;
            }
        }

        return false;
    }

    private int? ConstantMode(IOperation value) =>
        HandWrittenDropoutSite.StripConversions(value) is { ConstantValue: { HasValue: true, Value: int mode } } constant
        && SymbolEqualityComparer.Default.Equals(constant.Type, Symbols.DropoutMode)
            ? mode
            : -1;

    private bool HasDropout(ITypeSymbol type, int depth)
    {
        if (Symbols.IsDropoutSiteType(type))
        {
            return true;
        }

        if (depth >= MaxModelDepth || type is not INamedTypeSymbol named || named.SpecialType != SpecialType.None)
        {
            return false;
        }

        if (depth == 0 && _typesWithDropout.TryGetValue(type, out bool cached))
        {
            return cached;
        }

        bool result = false;
        if (named.IsGenericType)
        {
            foreach (ITypeSymbol argument in named.TypeArguments)
            {
                result |= HasDropout(argument, depth + 1);
            }
        }

        if (!result && named.Locations.Any(location => location.IsInSource))
        {
            foreach (ISymbol member in named.GetMembers())
            {
                ITypeSymbol? memberType = member switch
                {
                    IFieldSymbol { IsStatic: false } field => field.Type,
                    IPropertySymbol { IsStatic: false, IsIndexer: false } property => property.Type,
                    IMethodSymbol method when DropoutSymbols.HasAttribute(method, Symbols.DropoutAttribute) => Symbols.DropoutLayer,
                    _ => null,
                };
                if (memberType is IArrayTypeSymbol array)
                {
                    memberType = array.ElementType;
                }

                if (memberType is not null && !SymbolEqualityComparer.Default.Equals(memberType, type) && HasDropout(memberType, depth + 1))
                {
                    result = true;
                    break;
                }
            }
        }

        if (depth == 0)
        {
            _typesWithDropout.TryAdd(type, result);
        }

        return result;
    }

    /// <summary>The numeric values of <c>Dropout.DropoutMode</c>.</summary>
    public enum ModeValue
    {
        Training = 0,
        Inference = 1,
        MonteCarlo = 2,
    }
}
