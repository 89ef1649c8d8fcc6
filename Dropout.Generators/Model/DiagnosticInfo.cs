using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Dropout.Generators.Model;

/// <summary>A diagnostic to report, held as values (a <see cref="Location"/> would pin the syntax tree in the cache).</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> MessageArguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] messageArguments) =>
        new(descriptor, LocationInfo.From(location), new EquatableArray<string>(messageArguments));

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Descriptor, Location?.ToLocation(), MessageArguments.Cast<object>().ToArray());
}

/// <summary>A source location as values.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public static LocationInfo? From(Location? location) =>
        location is null || !location.IsInSource ? null : new LocationInfo(location.SourceTree!.FilePath, location.SourceSpan, location.GetLineSpan().Span);

    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);
}

/// <summary>What the parser makes of one attributed declaration: a site to emit, diagnostics to report, or both empty.</summary>
internal sealed record ParseResult(DropoutSiteModel? Site, ContextHolderModel? ContextHolder, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>Gets the throwing body of a rejected dropout method the compiler requires an implementation of, if any.</summary>
    public StubModel? Stub { get; init; }

    /// <summary>Gets where the <c>[Dropout]</c> attribute is: an error about the whole compilation is reported at the first one.</summary>
    public LocationInfo? AttributeLocation { get; init; }
}
