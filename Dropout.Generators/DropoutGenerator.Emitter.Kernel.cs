using System.Globalization;
using Dropout.Generators.Model;

namespace Dropout.Generators;

public sealed partial class DropoutGenerator
{
    /// <summary>
    /// The operator part of the emitter: the file-local struct that carries a site's folded constants. The loops, tails,
    /// vector widths, mask buffers and state checks are the runtime's (<c>DropoutSiteState</c> and the generic
    /// <c>FusedEpilogue</c> driver), written once; the JIT compiles that driver once per site struct with its constants
    /// folded, so nothing here depends on anything but the site.
    /// </summary>
    internal static partial class Emitter
    {
        private const string DropoutMaskSpecType = "global::Dropout.DropoutMaskSpec";
        private const string EpilogueInterface = "global::Dropout.IDropoutEpilogue";

        private static string KernelKindText(string kind) => kind switch
        {
            "Channel" => "channel dropout",
            "SharedOverTime" => "shared-over-time dropout",
            "DropPath" => "drop path",
            "Alpha" => "alpha dropout",
            "Gaussian" => "Gaussian dropout",
            "DropConnect" => "DropConnect",
            _ => "dropout",
        };

        private static void WriteKernel(CodeWriter writer, DropoutSiteModel site, string kernel)
        {
            MaskSpecification spec = site.Spec;
            string target = (site.Method is null ? site.Type.Self.Name : site.Type.Self.Name + "." + site.Method.Name).Replace("@", string.Empty);
            string bits = spec.BitsPerElement.ToString(CultureInfo.InvariantCulture);
            string threshold = spec.KeepThreshold.ToString(CultureInfo.InvariantCulture);
            string[] elements = site.Method is null ? ["float", "double"] : [site.Method.ElementType];
            writer.Lines(
                "/// <summary>",
                "/// The " + KernelKindText(site.Kind) + " of " + target + ", folded for p = " + DoubleLiteral(spec.KeepProbability) + ": " + (site.Kind == "Gaussian"
                    ? "its noise has variance (1 - p)/p (docs/masks.md §6)."
                    : "each " + (site.IsShaped ? "decision" : site.Kind == "DropConnect" ? "weight" : "element") + " spends " + bits + " random bit" + (spec.BitsPerElement == 1 ? string.Empty : "s")),
                site.Kind == "Gaussian"
                    ? "/// The runtime's Gaussian kernel runs with this spec; the scale below is unused."
                    : site.IsElementwise
                        ? "/// and is kept when that field is below " + threshold + " (docs/masks.md); kept elements are multiplied by 1/p. The runtime's"
                        : "/// and is kept when that field is below " + threshold + " (docs/masks.md). The runtime's " + KernelKindText(site.Kind) + " kernel runs with",
                site.IsElementwise
                    ? "/// generic kernel is compiled once for this struct, with these constants folded in."
                    : site.Kind == "Gaussian"
                        ? "/// Nothing is recorded: backward regenerates the noise from the forward call's key and offset."
                        : "/// this spec" + (site.Kind == "Alpha" ? " (its affine coefficients come from p; the scale below is unused)." : "."),
                "/// </summary>",
                GeneratedCodeAttribute);
            writer.Open("file readonly struct " + kernel + " : " + string.Join(", ", elements.Select(static e => EpilogueInterface + "<" + e + ">")));
            writer.Line("private static readonly " + DropoutMaskSpecType + " s_spec = " + DropoutMaskSpecType + ".FromGenerated(" + DoubleLiteral(spec.KeepProbability) + ", bitsPerElement: " + bits + ", keepThreshold: " + threshold + ");");
            writer.Line();
            writer.Line("public bool Draws => true;");
            writer.Line();
            writer.Line("public " + DropoutMaskSpecType + " Spec => s_spec;");
            foreach (string element in elements)
            {
                writer.Line();
                string scale = element == "float" ? FloatLiteral(spec.ScaleSingle) : DoubleLiteral(spec.Scale);
                writer.Line(element + " " + EpilogueInterface + "<" + element + ">.Scale => " + scale + ";");
            }

            writer.Close();
        }
    }
}
