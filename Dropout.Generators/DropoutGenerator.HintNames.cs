using System.Collections.Immutable;
using System.Globalization;
using Dropout.Generators.Model;

namespace Dropout.Generators;

public sealed partial class DropoutGenerator
{
    /// <summary>
    /// Hint names (the generated files' names). The compiler requires them to be unique ignoring case (CS8785
    /// otherwise): sites named <c>Hidden</c> and <c>hidden</c>, or methods <c>DropInput</c> and <c>dropInput</c>, would
    /// otherwise clash. Such names get a suffix computed from the exact name, so it does not depend on the other
    /// sites or on the order the compiler sees them in; all other names are left as they are.
    /// </summary>
    internal static class HintNames
    {
        private const string Extension = ".g.cs";

        public static string Stem(DropoutSiteModel site) =>
            site.Method is null ? site.Type.FullName + ".Dropout" : MethodStem(site.Type, site.Method.PlainName);

        // Overloads (DRPG008) each get a stub: the signature's hash tells their files apart.
        public static string Stem(StubModel stub) => stub.Type.FullName + "." + stub.MethodName + "(" + Hash(stub.Signature) + ").DropoutStub";

        public static string Stem(ContextHolderModel holder) => holder.Type.FullName + ".DropoutContext";

        private static string MethodStem(TargetTypeModel type, string method) => type.FullName + "." + method + "().Dropout";

        /// <summary>
        /// Names every file to generate. A stem that no other stem equals ignoring case is the hint name as it is (the
        /// usual case). Stems that clash get '-' and a 64-bit FNV-1a hash of the exact stem; stems that are exactly
        /// equal (two types of one name, which the compiler rejects, CS0101/CS0261) also get a hash of their text. No
        /// stem contains '-' (not an identifier character), so a changed name clashes with no unchanged one; should
        /// hashes clash, a counter follows. Identical files are generated once.
        /// </summary>
        public static EquatableArray<NamedFile> Assign(ImmutableArray<DropoutSiteModel> sites, ImmutableArray<StubModel> stubs, EquatableArray<ContextHolderModel> holders)
        {
            var files = new List<NamedFile>();
            files.AddRange(sites.Distinct().Select(static site => new NamedFile(site, null, null, Stem(site))));
            files.AddRange(stubs.Distinct().Select(static stub => new NamedFile(null, stub, null, Stem(stub))));
            files.AddRange(holders.Distinct().Select(static holder => new NamedFile(null, null, holder, Stem(holder))));

            var named = new List<NamedFile>(files.Count);
            var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (IGrouping<string, NamedFile> group in files.GroupBy(static file => file.HintName, StringComparer.OrdinalIgnoreCase))
            {
                if (!group.Skip(1).Any())
                {
                    named.Add(group.First() with { HintName = group.Key + Extension });
                    continue;
                }

                foreach (NamedFile file in group.OrderBy(static file => file.HintName, StringComparer.Ordinal).ThenBy(Emitter.Render, StringComparer.Ordinal))
                {
                    bool exactTwin = group.Count(other => string.Equals(other.HintName, file.HintName, StringComparison.Ordinal)) > 1;
                    string unique = file.HintName + "-" + Hash(file.HintName) + (exactTwin ? "-" + Hash(Emitter.Render(file)) : string.Empty);
                    string candidate = unique;
                    for (int counter = 2; !taken.Add(candidate); counter++)
                    {
                        candidate = unique + "-" + counter.ToString(CultureInfo.InvariantCulture);
                    }

                    named.Add(file with { HintName = candidate + Extension });
                }
            }

            return new EquatableArray<NamedFile>(named);
        }

        internal static string Hash(string text)
        {
            ulong hash = 14695981039346656037UL;
            foreach (char c in text)
            {
                hash = unchecked((hash ^ c) * 1099511628211UL);
            }

            return hash.ToString("X16", CultureInfo.InvariantCulture);
        }
    }
}
