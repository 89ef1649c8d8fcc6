using System.Globalization;
using Dropout.Generators.Model;

namespace Dropout.Generators;

public sealed partial class DropoutGenerator
{
    /// <summary>The kernel part of the emitter: the file-local class that holds a site's constants and vector loops.</summary>
    internal static partial class Emitter
    {
        private static void WriteKernel(CodeWriter writer, DropoutSiteModel site, string kernel)
        {
            MaskSpecification spec = site.Spec;
            string target = site.Method is null ? site.Type.Self.Name : site.Type.Self.Name + "." + site.Method.Name;
            writer.Line("/// <summary>");
            if (spec.IsIdentity)
            {
                writer.Line("/// Helpers of the dropout site " + target.Replace("@", string.Empty) + ", generated for p = 1: dropout keeps every element and draws nothing.");
            }
            else
            {
                writer.Line("/// The dropout kernel of " + target.Replace("@", string.Empty) + ", specialized for p = " + DoubleLiteral(spec.KeepProbability) + ": each element spends");
                writer.Line("/// " + spec.BitsPerElement.ToString(CultureInfo.InvariantCulture) + " random bit" + (spec.BitsPerElement == 1 ? string.Empty : "s") + " and is kept when that field is below " + spec.KeepThreshold.ToString(CultureInfo.InvariantCulture) + ", so one tile of 16 Philox blocks");
                writer.Line("/// decides " + spec.ElementsPerTile.ToString(CultureInfo.InvariantCulture) + " elements. The masks are exactly those of docs/masks.md, the same bits as");
                writer.Line("/// <see cref=\"" + DropoutKernels + "\"/>, which this kernel hands what it does not specialize for.");
            }

            writer.Line("/// </summary>");
            writer.Line(GeneratedCodeAttribute);
            writer.Open("file static class " + kernel);
            writer.Line("/// <summary>The keep probability p.</summary>");
            writer.Line("public const double KeepProbability = " + DoubleLiteral(spec.KeepProbability) + ";");
            if (site.FixedSize > 0)
            {
                writer.Line();
                writer.Line("/// <summary>The element count every call has (Size on the attribute).</summary>");
                writer.Line("public const int FixedSize = " + site.FixedSize.ToString(CultureInfo.InvariantCulture) + ";");
            }

            if (!spec.IsIdentity)
            {
                WriteKernelConstants(writer, spec);
                foreach (string element in ElementTypes(site))
                {
                    writer.Line();
                    WriteKernelForward(writer, site, element);
                }

                foreach (string element in ElementTypes(site))
                {
                    writer.Line();
                    WriteApplyTile(writer, site, element);
                }

                foreach (string element in ElementTypes(site))
                {
                    writer.Line();
                    WriteApplyGroups(writer, site, element);
                }

                if (site.StoresMaskBits)
                {
                    foreach (string element in ElementTypes(site))
                    {
                        writer.Line();
                        WriteBackwardFromBits(writer, element);
                    }

                    foreach (string element in ElementTypes(site))
                    {
                        foreach ((string vector, int bits) in new[] { (Vector512, 512), (Vector256, 256), (Vector128, 128) })
                        {
                            writer.Line();
                            WriteApplyKeepBits(writer, element, vector, bits);
                        }
                    }

                    writer.Line();
                    WriteMaskHelpers(writer);
                }

                writer.Line();
                writer.Lines(
                    "/// <summary>Backward must follow a forward call over the same element type and of the same length, whose mask it applies.</summary>",
                    "public static void ThrowIfNoMatchingForward(int forwardElementSize, int elementSize, int forwardLength, int length)");
                writer.Lines("{");
                writer.Lines(
                    "    if (forwardElementSize == 0)",
                    "    {",
                    "        throw new global::System.InvalidOperationException(\"Backward was called before any forward call: there is no mask to reuse.\");",
                    "    }",
                    "",
                    "    if (elementSize != forwardElementSize)",
                    "    {",
                    "        throw new global::System.InvalidOperationException(\"Backward over \" + ElementName(elementSize) + \" follows a forward call over \" + ElementName(forwardElementSize) + \"; backward must apply the mask of a forward call over the same element type.\");",
                    "    }",
                    "",
                    "    if (length != forwardLength)",
                    "    {",
                    "        throw new global::System.InvalidOperationException(\"Backward got \" + length + \" elements but the last forward call had \" + forwardLength + \"; backward must reuse exactly the forward mask.\");",
                    "    }",
                    "}",
                    "",
                    "private static string ElementName(int elementSize) => elementSize == sizeof(float) ? \"float\" : \"double\";");
            }

            writer.Line();
            WriteValidationHelpers(writer, site);
            writer.Close();
        }

        private static IEnumerable<string> ElementTypes(DropoutSiteModel site) =>
            site.Method is null ? ["float", "double"] : [site.Method.ElementType];

        private static void WriteKernelConstants(CodeWriter writer, MaskSpecification spec)
        {
            string bits = spec.BitsPerElement.ToString(CultureInfo.InvariantCulture);
            writer.Lines(
                "",
                "/// <summary>Random bits per element: the smallest field width for p (docs/masks.md §1).</summary>",
                "private const int BitsPerElement = " + bits + ";",
                "",
                "/// <summary>An element is kept when its " + bits + "-bit field is below this threshold.</summary>",
                "private const uint KeepThreshold = " + spec.KeepThreshold.ToString(CultureInfo.InvariantCulture) + ";",
                "",
                "/// <summary>Isolates one field of a word.</summary>",
                "private const uint FieldMask = 0x" + spec.FieldMask.ToString("X", CultureInfo.InvariantCulture) + ";",
                "",
                "/// <summary>Fields per 32-bit word: 32 / BitsPerElement.</summary>",
                "private const int FieldsPerWord = " + spec.FieldsPerWord.ToString(CultureInfo.InvariantCulture) + ";",
                "",
                "/// <summary>Elements one tile (16 Philox blocks, 64 words) decides: FieldsPerWord · 64.</summary>",
                "private const int ElementsPerTile = " + spec.ElementsPerTile.ToString(CultureInfo.InvariantCulture) + ";",
                "",
                "/// <summary>Elements one field of a tile's 64 words decides: a group of consecutive elements.</summary>",
                "private const int ElementsPerGroup = 64;",
                "",
                "/// <summary>1/p, rounded once to single precision.</summary>",
                "private const float ScaleSingle = " + FloatLiteral(spec.ScaleSingle) + ";",
                "",
                "/// <summary>1/p in double precision.</summary>",
                "private const double Scale = " + DoubleLiteral(spec.Scale) + ";");
        }

        private static void WriteKernelForward(CodeWriter writer, DropoutSiteModel site, string element)
        {
            bool bits = site.StoresMaskBits;
            string maskParameter = bits ? ", " + Span + "<byte> mask" : string.Empty;
            string maskArgument = bits ? ", mask" : string.Empty;
            writer.Lines(
                "/// <summary>",
                "/// <c>output = input ⊙ m / p</c> with the mask at stream positions <paramref name=\"offset\"/> onwards of the stream keyed",
                "/// by <paramref name=\"key\"/>" + (bits ? "; the mask's bits are written to <paramref name=\"mask\"/>" : string.Empty) + ".",
                "/// </summary>",
                "public static void Forward(" + ReadOnlySpan + "<" + element + "> input, " + Span + "<" + element + "> output" + maskParameter + ", ulong key, ulong offset)");
            writer.Line("{");
            writer.Lines(
                "    // A forward call starts on a tile boundary (DropoutStream.Reserve aligns to 2,048 positions); the runtime's",
                "    // general kernel takes any other offset, and machines without vector hardware.",
                "    if (!" + Vector128 + ".IsHardwareAccelerated || offset % ElementsPerTile != 0)",
                "    {",
                "        " + DropoutKernels + ".Forward(input, output" + maskArgument + ", KeepProbability, key, offset);",
                "        return;",
                "    }",
                "",
                "    ref " + element + " source = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(input);",
                "    ref " + element + " destination = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(output);",
                "    ulong firstTile = offset / ElementsPerTile;");

            if (site.FixedSize > 0)
            {
                int size = site.FixedSize;
                int fullTiles = size / site.Spec.ElementsPerTile;
                int groups = size % site.Spec.ElementsPerTile / 64;
                int rest = size % 64;
                writer.Line("    // Size = " + size.ToString(CultureInfo.InvariantCulture) + ": " + Describe(fullTiles, groups, rest) + ", known when the code was generated.");
                string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
                if (fullTiles > 0)
                {
                    writer.Lines(
                        "    for (int tile = 0; tile < " + Number(fullTiles) + "; tile++)",
                        "    {",
                        "        ApplyTile(ref source, ref destination" + maskArgument + ", tile * ElementsPerTile, key, firstTile + (ulong)tile, FieldsPerWord);",
                        "    }");
                }

                if (groups > 0)
                {
                    writer.Line("    ApplyTile(ref source, ref destination" + maskArgument + ", start: " + Number(fullTiles * site.Spec.ElementsPerTile) + ", key, firstTile + " + Number(fullTiles) + ", groups: " + Number(groups) + ");");
                }

                if (rest > 0)
                {
                    int done = size - rest;
                    writer.Line("    " + DropoutKernels + ".Forward(input.Slice(" + Number(done) + "), output.Slice(" + Number(done) + ")" + (bits ? ", mask.Slice(" + Number(done / 8) + ")" : string.Empty) + ", KeepProbability, key, offset + " + Number(done) + ");");
                }
            }
            else
            {
                writer.Lines(
                    "    int length = input.Length;",
                    "    int fullTiles = length / ElementsPerTile;",
                    "    for (int tile = 0; tile < fullTiles; tile++)",
                    "    {",
                    "        ApplyTile(ref source, ref destination" + maskArgument + ", tile * ElementsPerTile, key, firstTile + (ulong)tile, FieldsPerWord);",
                    "    }",
                    "",
                    "    // A partial last tile starts with whole groups: field 0, 1, ... of its 64 words.",
                    "    int groupsInLastTile = length % ElementsPerTile / ElementsPerGroup;",
                    "    if (groupsInLastTile > 0)",
                    "    {",
                    "        ApplyTile(ref source, ref destination" + maskArgument + ", fullTiles * ElementsPerTile, key, firstTile + (ulong)fullTiles, groupsInLastTile);",
                    "    }",
                    "",
                    "    // Fewer than 64 elements remain: the runtime's kernel finishes them at their stream position.",
                    "    int done = length - length % ElementsPerGroup;",
                    "    if (done < length)",
                    "    {",
                    "        " + DropoutKernels + ".Forward(input.Slice(done), output.Slice(done)" + (bits ? ", mask.Slice(done / 8)" : string.Empty) + ", KeepProbability, key, offset + (ulong)done);",
                    "    }");
            }

            writer.Line("}");
        }

        private static string Describe(int fullTiles, int groups, int rest)
        {
            var parts = new List<string>();
            if (fullTiles > 0)
            {
                parts.Add(fullTiles.ToString(CultureInfo.InvariantCulture) + " whole tile" + (fullTiles == 1 ? string.Empty : "s"));
            }

            if (groups > 0)
            {
                parts.Add(groups.ToString(CultureInfo.InvariantCulture) + " group" + (groups == 1 ? string.Empty : "s") + " of a last tile");
            }

            if (rest > 0)
            {
                parts.Add(rest.ToString(CultureInfo.InvariantCulture) + " remaining element" + (rest == 1 ? string.Empty : "s"));
            }

            return string.Join(", ", parts);
        }

        private static void WriteApplyTile(CodeWriter writer, DropoutSiteModel site, string element)
        {
            bool bits = site.StoresMaskBits;
            string maskParameter = bits ? ", " + Span + "<byte> mask" : string.Empty;
            string apply = bits ? "ulong keepBits = " : string.Empty;
            writer.Lines(
                "/// <summary>",
                "/// Decides the first <paramref name=\"groups\"/> groups of one tile, from element <paramref name=\"start\"/> on. Group j is",
                "/// field j of the tile's 64 words, and element 16·w + l of the group reads word w of lane l: one vector of word w",
                "/// holds the lanes of 16 consecutive elements, so no transposes are needed. The JIT keeps only the widest path",
                "/// the hardware accelerates.",
                "/// </summary>",
                Inline,
                "private static void ApplyTile(ref " + element + " source, ref " + element + " destination" + maskParameter + ", int start, ulong key, ulong tile, int groups)");
            writer.Line("{");
            writer.Lines(
                "    if (" + Vector512 + ".IsHardwareAccelerated)",
                "    {",
                "        // One 512-bit vector per word: all 16 lanes.",
                "        " + MaskLayout + ".ComputeTile(key, tile, out " + Vector512 + "<uint> word0, out " + Vector512 + "<uint> word1, out " + Vector512 + "<uint> word2, out " + Vector512 + "<uint> word3);",
                "        for (int field = 0; field < groups; field++)",
                "        {",
                "            int shift = field * BitsPerElement;",
                "            int at = start + field * ElementsPerGroup;",
                "            " + apply + "ApplyGroup(ref source, ref destination, at, word0, shift)" + (bits ? string.Empty : ";"));
            if (bits)
            {
                writer.Lines(
                    "                | (ApplyGroup(ref source, ref destination, at + 16, word1, shift) << 16)",
                    "                | (ApplyGroup(ref source, ref destination, at + 32, word2, shift) << 32)",
                    "                | (ApplyGroup(ref source, ref destination, at + 48, word3, shift) << 48);",
                    "            WriteMaskBits(mask, at, keepBits);");
            }
            else
            {
                writer.Lines(
                    "            ApplyGroup(ref source, ref destination, at + 16, word1, shift);",
                    "            ApplyGroup(ref source, ref destination, at + 32, word2, shift);",
                    "            ApplyGroup(ref source, ref destination, at + 48, word3, shift);");
            }

            writer.Lines(
                "        }",
                "    }",
                "    else if (" + Vector256 + ".IsHardwareAccelerated)",
                "    {",
                "        // Two halves of 8 lanes: word w of lanes 0-7 and of lanes 8-15 are two runs of 8 consecutive elements.",
                "        " + MaskLayout + ".ComputeTile(key, tile, 0, out " + Vector256 + "<uint> low0, out " + Vector256 + "<uint> low1, out " + Vector256 + "<uint> low2, out " + Vector256 + "<uint> low3);",
                "        " + MaskLayout + ".ComputeTile(key, tile, 1, out " + Vector256 + "<uint> high0, out " + Vector256 + "<uint> high1, out " + Vector256 + "<uint> high2, out " + Vector256 + "<uint> high3);",
                "        for (int field = 0; field < groups; field++)",
                "        {",
                "            int shift = field * BitsPerElement;",
                "            int at = start + field * ElementsPerGroup;");
            WriteUnrolledGroups(writer, bits, 2, index => index == 0 ? "low" : "high");
            writer.Lines(
                "        }",
                "    }",
                "    else",
                "    {",
                "        // Four quarters of 4 lanes: word w of each quarter is a run of 4 consecutive elements.");
            for (int quarter = 0; quarter < 4; quarter++)
            {
                string q = "quarter" + quarter.ToString(CultureInfo.InvariantCulture) + "Word";
                writer.Line("        " + MaskLayout + ".ComputeTile(key, tile, " + quarter.ToString(CultureInfo.InvariantCulture) + ", out " + Vector128 + "<uint> " + q + "0, out " + Vector128 + "<uint> " + q + "1, out " + Vector128 + "<uint> " + q + "2, out " + Vector128 + "<uint> " + q + "3);");
            }

            writer.Lines(
                "        for (int field = 0; field < groups; field++)",
                "        {",
                "            int shift = field * BitsPerElement;",
                "            int at = start + field * ElementsPerGroup;");
            WriteUnrolledGroups(writer, bits, 4, index => "quarter" + index.ToString(CultureInfo.InvariantCulture) + "Word");
            writer.Lines(
                "        }",
                "    }");
            writer.Line("}");
        }

        // Word w of part k (a half or a quarter of the lanes) decides elements at + 16·w + k·(16 / parts).
        private static void WriteUnrolledGroups(CodeWriter writer, bool bits, int parts, Func<int, string> partName)
        {
            int lanes = 16 / parts;
            var terms = new List<string>();
            for (int word = 0; word < 4; word++)
            {
                for (int part = 0; part < parts; part++)
                {
                    int first = (16 * word) + (part * lanes);
                    string at = first == 0 ? "at" : "at + " + first.ToString(CultureInfo.InvariantCulture);
                    string call = "ApplyGroup(ref source, ref destination, " + at + ", " + partName(part) + word.ToString(CultureInfo.InvariantCulture) + ", shift)";
                    terms.Add(first == 0 ? call : "(" + call + " << " + first.ToString(CultureInfo.InvariantCulture) + ")");
                    if (!bits)
                    {
                        writer.Line("            " + call + ";");
                    }
                }
            }

            if (bits)
            {
                writer.Line("            ulong keepBits = " + terms[0]);
                for (int i = 1; i < terms.Count; i++)
                {
                    writer.Line("                | " + terms[i] + (i == terms.Count - 1 ? ";" : string.Empty));
                }

                writer.Line("            WriteMaskBits(mask, at, keepBits);");
            }
        }

        private static void WriteApplyGroups(CodeWriter writer, DropoutSiteModel site, string element)
        {
            foreach ((string vector, int lanes) in new[] { (Vector512, 16), (Vector256, 8), (Vector128, 4) })
            {
                WriteApplyGroup(writer, site, element, vector, lanes);
                if (vector != Vector128)
                {
                    writer.Line();
                }
            }
        }

        private static void WriteApplyGroup(CodeWriter writer, DropoutSiteModel site, string element, string vector, int lanes)
        {
            MaskSpecification spec = site.Spec;
            bool bits = site.StoresMaskBits;
            string fields = spec.BitsPerElement == 32
                ? "words"
                : vector + ".ShiftRightLogical(words, shift) & " + vector + ".Create(FieldMask)";
            writer.Lines(
                "/// <summary>",
                "/// Decides " + lanes.ToString(CultureInfo.InvariantCulture) + " consecutive elements from one field of " + lanes.ToString(CultureInfo.InvariantCulture) + " lanes' words: kept elements are multiplied by 1/p,",
                "/// dropped ones become +0.0" + (bits ? "; returns their keep bits" : string.Empty) + ".",
                "/// </summary>",
                Inline,
                "private static " + (bits ? "ulong" : "void") + " ApplyGroup(ref " + element + " source, ref " + element + " destination, int at, " + vector + "<uint> words, int shift)");
            writer.Line("{");
            if (spec.BitsPerElement == 32)
            {
                writer.Line("    // 32-bit fields: the whole word is the field.");
            }

            writer.Line("    " + vector + "<uint> keep = " + vector + ".LessThan(" + fields + ", " + vector + ".Create(KeepThreshold));");
            writer.Line("    // The compare's all-ones lanes are the mask itself: AND clears dropped elements to +0.0, NaN and infinities included.");
            if (element == "float")
            {
                writer.Line("    " + vector + "<float> scaled = " + vector + ".LoadUnsafe(ref source, (nuint)at) * " + vector + ".Create(ScaleSingle);");
                writer.Line("    " + vector + ".StoreUnsafe(scaled & " + vector + ".AsSingle(keep), ref destination, (nuint)at);");
            }
            else
            {
                int half = lanes / 2;
                writer.Line("    // Each 32-bit keep lane is sign-extended to the 64-bit lane of its double.");
                writer.Line("    " + vector + "<double> scale = " + vector + ".Create(Scale);");
                string second = "(nuint)(at + " + half.ToString(CultureInfo.InvariantCulture) + ")";
                writer.Line("    " + vector + "<double> lower = " + vector + ".AsDouble(" + vector + ".WidenLower(" + vector + ".AsInt32(keep)));");
                writer.Line("    " + vector + "<double> upper = " + vector + ".AsDouble(" + vector + ".WidenUpper(" + vector + ".AsInt32(keep)));");
                writer.Line("    " + vector + ".StoreUnsafe(" + vector + ".LoadUnsafe(ref source, (nuint)at) * scale & lower, ref destination, (nuint)at);");
                writer.Line("    " + vector + ".StoreUnsafe(" + vector + ".LoadUnsafe(ref source, " + second + ") * scale & upper, ref destination, " + second + ");");
            }

            if (bits)
            {
                writer.Line("    return " + vector + ".ExtractMostSignificantBits(keep);");
            }

            writer.Line("}");
        }

        private static void WriteBackwardFromBits(CodeWriter writer, string element)
        {
            string scale = element == "float" ? "ScaleSingle" : "Scale";
            writer.Lines(
                "/// <summary>",
                "/// <c>gradInput = gradOutput ⊙ m / p</c> with the mask of the forward call at (<paramref name=\"key\"/>, <paramref name=\"offset\"/>):",
                "/// the bits it recorded in <paramref name=\"buffer\"/>, or, when a copy of the instance (a record <c>with</c>, a struct",
                "/// copy) has since recorded its own call there, the same mask regenerated by the runtime's kernel.",
                "/// </summary>",
                "public static void Backward(" + ReadOnlySpan + "<" + element + "> gradOutput, " + Span + "<" + element + "> gradInput, byte[]? buffer, ulong key, ulong offset)",
                "{",
                "    if (TryRecordedMask(buffer, gradOutput.Length, key, offset, out " + ReadOnlySpan + "<byte> mask))",
                "    {",
                "        ApplyMask(gradOutput, gradInput, mask);",
                "    }",
                "    else",
                "    {",
                "        " + DropoutKernels + ".Forward(gradOutput, gradInput, KeepProbability, key, offset);",
                "    }",
                "}",
                "",
                "/// <summary><c>gradInput = gradOutput ⊙ m / p</c> with a recorded mask (bit i of byte i / 8 keeps element i).</summary>",
                "private static void ApplyMask(" + ReadOnlySpan + "<" + element + "> gradOutput, " + Span + "<" + element + "> gradInput, " + ReadOnlySpan + "<byte> mask)",
                "{",
                "    ref " + element + " source = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(gradOutput);",
                "    ref " + element + " destination = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(gradInput);",
                "    int length = gradOutput.Length;",
                "    int i = 0;");
            bool first = true;
            foreach ((string vector, int bits) in new[] { (Vector512, 512), (Vector256, 256), (Vector128, 128) })
            {
                string bitsText = bits.ToString(CultureInfo.InvariantCulture);
                writer.Lines(
                    "    " + (first ? "if" : "else if") + " (" + vector + ".IsHardwareAccelerated)",
                    "    {",
                    "        // 64 elements per mask word, " + (bits / (element == "float" ? 32 : 64)).ToString(CultureInfo.InvariantCulture) + " per vector.",
                    "        for (; i <= length - ElementsPerGroup; i += ElementsPerGroup)",
                    "        {",
                    "            ulong keepBits = ReadMaskBits(mask, i);",
                    "            for (int lane = 0; lane < ElementsPerGroup; lane += " + vector + "<" + element + ">.Count)",
                    "            {",
                    "                ApplyKeepBits" + bitsText + "(ref source, ref destination, i + lane, (uint)(keepBits >> lane));",
                    "            }",
                    "        }",
                    "    }");
                first = false;
            }

            writer.Lines(
                "",
                "    // The last elements, or all of them without vector hardware: the same product, one at a time.",
                "    for (; i < length; i++)",
                "    {",
                "        bool kept = ((mask[i >> 3] >> (i & 7)) & 1) != 0;",
                "        gradInput[i] = kept ? gradOutput[i] * " + scale + " : 0;",
                "    }",
                "}");
        }

        private static void WriteApplyKeepBits(CodeWriter writer, string element, string vector, int bits)
        {
            bool isFloat = element == "float";
            int lanes = bits / (isFloat ? 32 : 64);
            string laneType = isFloat ? "uint" : "ulong";
            string suffix = isFloat ? "u" : "ul";
            string laneBits = string.Join(", ", Enumerable.Range(0, lanes).Select(lane => (1UL << lane).ToString(CultureInfo.InvariantCulture) + suffix));
            writer.Lines(
                "/// <summary>Scales the " + lanes.ToString(CultureInfo.InvariantCulture) + " elements from <paramref name=\"at\"/> whose bit is set in <paramref name=\"keepBits\"/> by 1/p and zeroes the others.</summary>",
                Inline,
                "private static void ApplyKeepBits" + bits.ToString(CultureInfo.InvariantCulture) + "(ref " + element + " source, ref " + element + " destination, int at, uint keepBits)",
                "{",
                "    // Lane l tests bit l: broadcast the bits, keep each lane's own, compare.",
                "    " + vector + "<" + laneType + "> laneBits = " + vector + ".Create(" + laneBits + ");",
                "    " + vector + "<" + laneType + "> keep = " + vector + ".Equals(" + vector + ".Create((" + laneType + ")keepBits) & laneBits, laneBits);",
                "    " + vector + "<" + element + "> scaled = " + vector + ".LoadUnsafe(ref source, (nuint)at) * " + vector + ".Create(" + (isFloat ? "ScaleSingle" : "Scale") + ");",
                "    " + vector + ".StoreUnsafe(scaled & " + vector + "." + (isFloat ? "AsSingle" : "AsDouble") + "(keep), ref destination, (nuint)at);",
                "}");
        }

        private static void WriteMaskHelpers(CodeWriter writer)
        {
            writer.Lines(
                "/// <summary>Stores the keep bits of the 64 elements from <paramref name=\"at\"/> (a multiple of 64): bit i of byte i / 8, LSB first.</summary>",
                Inline,
                "private static void WriteMaskBits(" + Span + "<byte> mask, int at, ulong keepBits) =>",
                "    global::System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(mask.Slice(at / 8, 8), keepBits);",
                "",
                "/// <summary>Reads the keep bits of the 64 elements from <paramref name=\"at\"/> (a multiple of 64).</summary>",
                Inline,
                "private static ulong ReadMaskBits(" + ReadOnlySpan + "<byte> mask, int at) =>",
                "    global::System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(mask.Slice(at / 8, 8));",
                "",
                "/// <summary>",
                "/// A mask buffer starts with a header naming the forward call whose bits follow: its key (8 bytes), offset (8) and",
                "/// length (4, then 4 unused). Copies of an instance share the buffer; the header tells each whose bits are there.",
                "/// </summary>",
                "private const int MaskHeaderBytes = 24;",
                "",
                "/// <summary>The mask buffer of a site, grown to <paramref name=\"length\"/> elements on demand and then reused; records whose call fills it.</summary>",
                "public static " + Span + "<byte> MaskFor(ref byte[]? buffer, int length, ulong key, ulong offset)",
                "{",
                "    int bytes = " + MaskLayout + ".MaskByteCount(length);",
                "    if (buffer is null || buffer.Length < MaskHeaderBytes + bytes)",
                "    {",
                "        buffer = new byte[MaskHeaderBytes + bytes];",
                "    }",
                "",
                "    global::System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(new " + Span + "<byte>(buffer, 0, 8), key);",
                "    global::System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(new " + Span + "<byte>(buffer, 8, 8), offset);",
                "    global::System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(new " + Span + "<byte>(buffer, 16, 4), length);",
                "    return new " + Span + "<byte>(buffer, MaskHeaderBytes, bytes);",
                "}",
                "",
                "/// <summary>The mask the forward call at (<paramref name=\"key\"/>, <paramref name=\"offset\"/>) recorded, if the buffer still holds it.</summary>",
                "private static bool TryRecordedMask(byte[]? buffer, int length, ulong key, ulong offset, out " + ReadOnlySpan + "<byte> mask)",
                "{",
                "    int bytes = " + MaskLayout + ".MaskByteCount(length);",
                "    if (buffer is null",
                "        || buffer.Length < MaskHeaderBytes + bytes",
                "        || global::System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(new " + ReadOnlySpan + "<byte>(buffer, 0, 8)) != key",
                "        || global::System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(new " + ReadOnlySpan + "<byte>(buffer, 8, 8)) != offset",
                "        || global::System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(new " + ReadOnlySpan + "<byte>(buffer, 16, 4)) != length)",
                "    {",
                "        mask = default;",
                "        return false;",
                "    }",
                "",
                "    mask = new " + ReadOnlySpan + "<byte>(buffer, MaskHeaderBytes, bytes);",
                "    return true;",
                "}");
        }

        private static void WriteValidationHelpers(CodeWriter writer, DropoutSiteModel site)
        {
            writer.Lines(
                "/// <summary>The output must match the input's length" + (site.FixedSize > 0 ? " (and Size)" : string.Empty) + ", and be the same span or not overlap it.</summary>",
                "public static void Validate<T>(" + ReadOnlySpan + "<T> input, " + Span + "<T> output, string outputName)",
                "{",
                "    if (output.Length != input.Length)",
                "    {",
                "        throw new global::System.ArgumentException(\"'\" + outputName + \"' has \" + output.Length + \" elements but must have \" + input.Length + \", the length of the input.\", outputName);",
                "    }",
                "");
            if (site.FixedSize > 0)
            {
                writer.Lines(
                    "    if (input.Length != FixedSize)",
                    "    {",
                    "        throw new global::System.ArgumentException(\"This dropout site was generated for exactly \" + FixedSize + \" elements (Size = \" + FixedSize + \"); got \" + input.Length + \".\", outputName);",
                    "    }",
                    "");
            }

            writer.Lines(
                "    if (global::System.MemoryExtensions.Overlaps(input, (" + ReadOnlySpan + "<T>)output, out int elementOffset) && elementOffset != 0)",
                "    {",
                "        throw new global::System.ArgumentException(\"The output overlaps the input without starting at the same element; pass the same span for an in-place call.\", outputName);",
                "    }",
                "}",
                "",
                "/// <summary>Copies unless the two spans are the same memory (an in-place call).</summary>",
                "public static void CopyIfDistinct<T>(" + ReadOnlySpan + "<T> input, " + Span + "<T> output)",
                "{",
                "    if (!global::System.Runtime.CompilerServices.Unsafe.AreSame(",
                "        ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(input),",
                "        ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(output)))",
                "    {",
                "        input.CopyTo(output);",
                "    }",
                "}");
        }
    }
}
