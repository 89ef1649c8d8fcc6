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

        /// <summary>The hint name for <paramref name="stem"/>: itself, unless it had to change.</summary>
        public static string For(string stem, EquatableArray<HintOverride> overrides)
        {
            foreach (HintOverride entry in overrides)
            {
                if (string.Equals(entry.Stem, stem, StringComparison.Ordinal))
                {
                    return entry.Unique + Extension;
                }
            }

            return stem + Extension;
        }

        /// <summary>
        /// The stems that clash with another ignoring case, each with a unique replacement: the stem, '-' and a
        /// 64-bit FNV-1a hash of its exact text. No stem contains '-' (it is not an identifier character), so a
        /// replacement clashes with no unchanged name; should two hashes clash, a counter follows.
        /// </summary>
        public static EquatableArray<HintOverride> Overrides(IEnumerable<string> stems)
        {
            List<HintOverride>? overrides = null;
            foreach (IGrouping<string, string> group in stems
                .Distinct(StringComparer.Ordinal)
                .GroupBy(static stem => stem, StringComparer.OrdinalIgnoreCase)
                .Where(static group => group.Skip(1).Any())
                .OrderBy(static group => group.Key, StringComparer.OrdinalIgnoreCase))
            {
                var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (string stem in group.OrderBy(static stem => stem, StringComparer.Ordinal))
                {
                    string unique = stem + "-" + Hash(stem);
                    for (int counter = 2; !taken.Add(unique); counter++)
                    {
                        unique = stem + "-" + Hash(stem) + "-" + counter.ToString(CultureInfo.InvariantCulture);
                    }

                    (overrides ??= []).Add(new HintOverride(stem, unique));
                }
            }

            return overrides is null ? EquatableArray<HintOverride>.Empty : new EquatableArray<HintOverride>(overrides);
        }

        private static string Hash(string text)
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
