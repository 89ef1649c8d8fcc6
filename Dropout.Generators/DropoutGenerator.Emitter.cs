using System.Globalization;
using System.Reflection;
using System.Text;
using Dropout.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Dropout.Generators;

public sealed partial class DropoutGenerator
{
    /// <summary>
    /// Turns the model into source text. Output depends only on the model: same model, same bytes. This file writes
    /// the members added to the user's type; <c>DropoutGenerator.Emitter.Kernel.cs</c> writes the site's operator struct.
    /// </summary>
    internal static partial class Emitter
    {
        private const string Span = "global::System.Span";
        private const string ReadOnlySpan = "global::System.ReadOnlySpan";
        private const string Support = "global::Dropout.GeneratedDropout";
        private const string DropoutContextType = "global::Dropout.DropoutContext";
        private const string DropoutStreamType = "global::Dropout.DropoutStream";

        private static readonly string GeneratedCodeAttribute =
            "[global::System.CodeDom.Compiler.GeneratedCode(\"Dropout.Generators\", \"" + typeof(Emitter).Assembly.GetName().Version + "\")]";

        public static void Emit(SourceProductionContext production, NamedFile file)
        {
            string text;
            try
            {
                text = Render(file);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                TargetTypeModel? type = file.Site?.Type ?? file.Stub?.Type ?? file.Holder?.Type;
                production.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, type?.FullName ?? file.HintName, exception.GetType().Name + ": " + exception.Message));
                return;
            }

            production.AddSource(file.HintName, SourceText.From(text, Encoding.UTF8));
        }

        /// <summary>The text of one file to generate.</summary>
        public static string Render(NamedFile file) =>
            file.Site is { } site ? RenderSite(site)
            : file.Stub is { } stub ? RenderStub(stub)
            : RenderContextHolder(file.Holder!);

        /// <summary>The whole generated file of one site.</summary>
        public static string RenderSite(DropoutSiteModel site)
        {
            var writer = new CodeWriter();
            string kernel = KernelReference(site);
            OpenFile(writer, site.Type);
            if (site.Method is null)
            {
                WriteLayerMembers(writer, site, kernel);
            }
            else
            {
                WriteMethodMembers(writer, site, site.Method, kernel);
            }

            CloseTypes(writer, site.Type);
            if (!site.Spec.IsIdentity)
            {
                writer.Line();
                WriteKernel(writer, site, KernelName(site));
            }

            CloseFile(writer, site.Type);
            return writer.ToString();
        }

        /// <summary>The <c>DropoutContext</c> property of a type that holds dropout methods but is not a layer.</summary>
        public static string RenderContextHolder(ContextHolderModel holder)
        {
            var writer = new CodeWriter();
            OpenFile(writer, holder.Type);
            writer.Line("private " + DropoutContextType + "? __dropoutContext;");
            writer.Line();
            writer.Lines(
                "/// <summary>",
                "/// Gets or sets the context (mode and model seed) that the dropout methods of this type follow;",
                "/// <see cref=\"" + DropoutContextType + ".Shared\"/> until set. Each dropout method registers as a site of this",
                "/// context on its first training call after the context changes; give every layer of a model the same context to",
                "/// seed the whole model.",
                "/// </summary>",
                GeneratedCodeAttribute);
            writer.Open("public " + DropoutContextType + " DropoutContext");
            writer.Line("get => this.__dropoutContext ?? " + DropoutContextType + ".Shared;");
            writer.Line("set => this.__dropoutContext = value ?? throw new global::System.ArgumentNullException(\"value\");");
            writer.Close();
            CloseTypes(writer, holder.Type);
            CloseFile(writer, holder.Type);
            return writer.ToString();
        }

        /// <summary>The implementation of a rejected dropout method: it only throws (see <see cref="StubModel"/>).</summary>
        public static string RenderStub(StubModel stub)
        {
            var writer = new CodeWriter();
            OpenFile(writer, stub.Type);
            writer.Line("// [Dropout] reported an error for this method and generated no dropout code for it. This body exists only so");
            writer.Line("// that the error is not joined by CS8795 (a partial method with an access modifier needs an implementation).");
            writer.Line(GeneratedCodeAttribute);
            writer.Line(stub.Signature + " =>");
            writer.Line("    throw new global::System.NotSupportedException(" + StringLiteral("[Dropout] generated no code for '" + stub.MethodName + "': see the DRPG error reported for it.") + ");");
            CloseTypes(writer, stub.Type);
            CloseFile(writer, stub.Type);
            return writer.ToString();
        }

        // The site struct is a file-local type beside the type. Its name cannot be made unique against every member a user
        // might declare, so the type refers to it by its fully qualified name, which no member or type parameter hides.
        private static string KernelName(DropoutSiteModel site) =>
            site.Type.Self.Name.TrimStart('@') + (site.Method is null ? string.Empty : site.Method.PlainName) + "DropoutKernel";

        private static string KernelReference(DropoutSiteModel site) =>
            "global::" + (site.Type.Namespace.Length > 0 ? site.Type.Namespace + "." : string.Empty) + KernelName(site);

        /// <summary>A C# string literal. Used instead of <c>nameof</c>, which a user method named <c>nameof</c> would capture.</summary>
        private static string StringLiteral(string text) =>
            "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

        private static void OpenFile(CodeWriter writer, TargetTypeModel type)
        {
            writer.Line("// <auto-generated/>");
            writer.Line("#nullable enable");
            writer.Line();
            if (type.Namespace.Length > 0)
            {
                writer.Open("namespace " + type.Namespace);
            }

            foreach (TypeDeclarationModel declaration in type.Declarations)
            {
                // 'partial' comes right before the type keyword: "partial class", "ref partial struct".
                string header = declaration.Keyword == "ref struct" ? "ref partial struct" : "partial " + declaration.Keyword;
                writer.Open(header + " " + declaration.Name + declaration.TypeParameters);
            }
        }

        private static void CloseTypes(CodeWriter writer, TargetTypeModel type)
        {
            for (int i = 0; i < type.Declarations.Count; i++)
            {
                writer.Close();
            }
        }

        private static void CloseFile(CodeWriter writer, TargetTypeModel type)
        {
            if (type.Namespace.Length > 0)
            {
                writer.Close();
            }
        }

        // ---------------------------------------------------------------- layer form

        private static void WriteLayerMembers(CodeWriter writer, DropoutSiteModel site, string kernel)
        {
            MaskSpecification spec = site.Spec;
            string p = DoubleLiteral(spec.KeepProbability);
            writer.Lines(
                "/// <summary>The keep probability p this layer's dropout was generated for (the probability of KEEPING an element).</summary>",
                GeneratedCodeAttribute,
                "public const double DropoutKeepProbability = " + p + ";",
                "",
                "private " + DropoutContextType + "? __dropoutContext;",
                "private " + DropoutStreamType + "? __dropoutStream;");
            if (!spec.IsIdentity)
            {
                writer.Line();
                WriteForwardStateField(writer, "__dropout");
            }

            writer.Line();
            writer.Lines(
                "/// <summary>",
                "/// Gets or sets the context (mode and model seed) this layer follows; <see cref=\"" + DropoutContextType + ".Shared\"/>",
                "/// until set. The layer registers as a site of a context on its first training forward call with it (after a change",
                "/// of context, on the next one): give every layer of a model the same context to seed the whole model.",
                "/// </summary>",
                GeneratedCodeAttribute);
            writer.Open("public " + DropoutContextType + " DropoutContext");
            writer.Line("get => this.__dropoutContext ?? " + DropoutContextType + ".Shared;");
            writer.Open("set");
            writer.Line("this.__dropoutContext = value ?? throw new global::System.ArgumentNullException(\"value\");");
            writer.Line("this.__dropoutStream = null;");
            writer.Close();
            writer.Close();
            writer.Line();
            writer.Lines(
                "/// <summary>Gets this layer's random stream (its key and position), registered with <see cref=\"DropoutContext\"/> on first use.</summary>",
                GeneratedCodeAttribute);
            writer.Open("public " + DropoutStreamType + " DropoutStream");
            writer.Open("get");
            writer.Line(DropoutContextType + " context = this.DropoutContext;");
            writer.Open("if (this.__dropoutStream is null || this.__dropoutStream.Context != context)");
            writer.Line("this.__dropoutStream = context.CreateStream();");
            writer.Close();
            writer.Line();
            writer.Line("return this.__dropoutStream;");
            writer.Close();
            writer.Close();

            foreach (string element in new[] { "float", "double" })
            {
                writer.Line();
                WriteLayerForward(writer, site, kernel, element);
                writer.Line();
                WriteLayerBackward(writer, site, kernel, element);
            }
        }

        private static string ForwardSummary(DropoutSiteModel site)
        {
            MaskSpecification spec = site.Spec;
            string p = DoubleLiteral(spec.KeepProbability);
            if (spec.IsIdentity)
            {
                return "p = 1 keeps every element: dropout is the identity in every mode and draws nothing.";
            }

            string what = site.Kind switch
            {
                "Channel" => "keeps each channel (" + Count(site.ShapeSecond) + " elements of a (batch, " + Count(site.ShapeFirst) + ", " + Count(site.ShapeSecond) + ") layout) with probability " + p + " and multiplies it by 1/p, drawing fresh decisions",
                "SharedOverTime" => "keeps each feature of a sequence (a (batch, " + Count(site.ShapeFirst) + ", " + Count(site.ShapeSecond) + ") layout) with probability " + p + " at every time step alike and multiplies it by 1/p, drawing fresh decisions",
                "DropPath" => "keeps each sample (" + Count(site.ShapeFirst) + " elements) with probability " + p + " and multiplies it by 1/p, drawing fresh decisions",
                "Alpha" => "keeps each element with probability " + p + " and sets the others to SELU's saturation value, then applies the affine map that keeps mean and variance, drawing a fresh mask",
                "Gaussian" => "multiplies each element by its own N(1, (1 - p)/p) noise, p = " + p + ", drawn",
                _ => "keeps each element with probability " + p + " and multiplies it by 1/p, drawing a fresh mask",
            };
            return "In training and Monte Carlo mode, " + what + " from this site's stream; in inference mode, does nothing.";
        }

        // What backward multiplies the gradient by, for the doc comments.
        private static string BackwardFormula(DropoutSiteModel site) => site.Kind switch
        {
            "Alpha" => "⊙ m · a",
            "Gaussian" => "⊙ noise",
            _ => "⊙ m / p",
        };

        private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

        private static void WriteLayerForward(CodeWriter writer, DropoutSiteModel site, string kernel, string element)
        {
            writer.Lines(
                "/// <summary>Applies dropout in place. " + ForwardSummary(site) + "</summary>",
                "/// <param name=\"values\">The activations, overwritten with the result.</param>",
                GeneratedCodeAttribute,
                "public void DropoutForward(" + Span + "<" + element + "> values) => DropoutForward(values, values);",
                "",
                "/// <summary>Applies dropout from <paramref name=\"input\"/> to <paramref name=\"output\"/> (which may be the same span). " + ForwardSummary(site) + "</summary>",
                "/// <param name=\"input\">The activations.</param>",
                "/// <param name=\"output\">Receives the result.</param>",
                GeneratedCodeAttribute);
            writer.Open("public void DropoutForward(" + ReadOnlySpan + "<" + element + "> input, " + Span + "<" + element + "> output)");
            WriteForwardBody(writer, site, kernel, element, "input", "output", "__dropout", isMethodSite: false);
            writer.Close();
        }

        private static void WriteLayerBackward(CodeWriter writer, DropoutSiteModel site, string kernel, string element)
        {
            writer.Lines(
                "/// <summary>Back-propagates in place through the last forward call: <c>gradient " + BackwardFormula(site) + "</c> with exactly its " + (site.Kind == "Gaussian" ? "noise" : "mask") + ".</summary>",
                "/// <param name=\"gradient\">The gradient with respect to the output, overwritten with the gradient with respect to the input.</param>",
                GeneratedCodeAttribute,
                "public void DropoutBackward(" + Span + "<" + element + "> gradient) => DropoutBackward(gradient, gradient);",
                "",
                "/// <summary>Back-propagates through the last forward call: <c>gradInput = gradOutput " + BackwardFormula(site) + "</c> with exactly its " + (site.Kind == "Gaussian" ? "noise" : "mask") + ".</summary>",
                "/// <param name=\"gradOutput\">The gradient with respect to the output.</param>",
                "/// <param name=\"gradInput\">Receives the gradient with respect to the input; may be <paramref name=\"gradOutput\"/> itself.</param>",
                GeneratedCodeAttribute);
            writer.Open("public void DropoutBackward(" + ReadOnlySpan + "<" + element + "> gradOutput, " + Span + "<" + element + "> gradInput)");
            WriteBackwardBody(writer, site, kernel, element, "gradOutput", "gradInput", "__dropout");
            writer.Close();
        }

        // ---------------------------------------------------------------- method form

        private static void WriteMethodMembers(CodeWriter writer, DropoutSiteModel site, DropoutMethodModel method, string kernel)
        {
            if (method.Fused is { } fused)
            {
                WriteFusedMembers(writer, site, method, fused, kernel);
                return;
            }

            if (method.DropConnect is { } dense)
            {
                WriteDropConnectMembers(writer, site, method, dense, kernel);
                return;
            }

            string prefix = Parser.MethodFieldPrefix(method.PlainName);
            string element = method.ElementType;
            if (!site.Spec.IsIdentity)
            {
                WriteForwardStateField(writer, prefix);
            }

            string input = method.FirstParameterName;
            string output = method.IsOutOfPlace ? method.SecondParameterName : input;
            string parameters = method.IsOutOfPlace
                ? method.FirstParameterPrefix + ReadOnlySpan + "<" + element + "> " + input + ", " + method.SecondParameterPrefix + Span + "<" + element + "> " + output
                : method.FirstParameterPrefix + Span + "<" + element + "> " + input;
            writer.Line();
            writer.Line("// " + ForwardSummary(site));
            writer.Line(GeneratedCodeAttribute);
            writer.Open(method.Modifiers + " void " + method.Name + "(" + parameters + ")");
            WriteForwardBody(writer, site, kernel, element, input, output, prefix, isMethodSite: true);
            writer.Close();

            writer.Line();
            writer.Lines(
                "/// <summary>Back-propagates through the last call of <see cref=\"" + method.Name + "\"/>: <c>gradient " + BackwardFormula(site) + "</c> with exactly its " + (site.Kind == "Gaussian" ? "noise" : "mask") + ".</summary>");
            if (method.IsOutOfPlace)
            {
                writer.Lines(
                    "/// <param name=\"gradOutput\">The gradient with respect to the output.</param>",
                    "/// <param name=\"gradInput\">Receives the gradient with respect to the input; may be <paramref name=\"gradOutput\"/> itself.</param>",
                    GeneratedCodeAttribute);
                writer.Open(method.Accessibility + " void " + method.Name + "Backward(" + ReadOnlySpan + "<" + element + "> gradOutput, " + Span + "<" + element + "> gradInput)");
                WriteBackwardBody(writer, site, kernel, element, "gradOutput", "gradInput", prefix);
            }
            else
            {
                writer.Lines(
                    "/// <param name=\"gradient\">The gradient with respect to the output, overwritten with the gradient with respect to the input.</param>",
                    GeneratedCodeAttribute);
                writer.Open(method.Accessibility + " void " + method.Name + "Backward(" + Span + "<" + element + "> gradient)");
                WriteBackwardBody(writer, site, kernel, element, "gradient", "gradient", prefix);
            }

            writer.Close();
        }

        // ---------------------------------------------------------------- fused epilogue form

        private static void WriteFusedMembers(CodeWriter writer, DropoutSiteModel site, DropoutMethodModel method, FusedEpilogueModel fused, string kernel)
        {
            string prefix = Parser.MethodFieldPrefix(method.PlainName);
            string element = method.ElementType;
            string state = "this." + prefix + "State";
            string none = "default(" + ReadOnlySpan + "<" + element + ">)";
            string activation = fused.Activation == "LeakyReLU"
                ? "new global::Dropout.LeakyReLUActivation<" + element + ">(" + (element == "float" ? FloatLiteral((float)fused.LeakySlope) : DoubleLiteral(fused.LeakySlope)) + ")"
                : "default(global::Dropout." + fused.Activation + "Activation<" + element + ">)";
            string dropout = site.Spec.IsIdentity ? "default(global::Dropout.NoDropout<" + element + ">)" : "default(" + kernel + ")";
            string chain = "dropout(" + fused.Activation + "(" + method.FirstParameterName + (fused.HasBias ? " + bias" : string.Empty) + "))" + (fused.HasResidual ? " + residual" : string.Empty);
            WriteForwardStateField(writer, prefix);
            writer.Line();
            writer.Line("// " + method.SecondParameterName + " = " + chain + " in one pass. " + ForwardSummary(site).Replace("does nothing", "runs the chain without dropout"));
            writer.Line(GeneratedCodeAttribute);
            writer.Line(method.Modifiers + " void " + method.Name + "(" + fused.Parameters + ") =>");
            writer.Line("    " + state + ".FusedForward(" + method.FirstParameterName + ", " + (fused.HasBias ? "bias" : none) + ", " + (fused.HasResidual ? "residual" : none) + ", "
                + method.SecondParameterName + ", storeMask: " + (site.StoresMaskBits ? "true" : "false") + ", this.DropoutContext, " + activation + ", " + dropout + ");");

            var parameters = new List<string> { ReadOnlySpan + "<" + element + "> gradOutput" };
            writer.Line();
            writer.Line("/// <summary>");
            writer.Line("/// Back-propagates through the last call of <see cref=\"" + method.Name + "\"/>: <c>gradPreActivation = gradOutput ⊙ m / p ⊙ " + fused.Activation + "'(x" + (fused.HasBias ? " + bias" : string.Empty) + ")</c>"
                + (fused.HasBias ? ", and the bias gradient (its column sums)" : string.Empty) + ".");
            writer.Line(fused.BackwardTakesPreActivation
                ? "/// The derivative is recomputed from the forward's pre-activation" + (fused.HasBias ? " and bias" : string.Empty) + ", which the caller passes again."
                : "/// " + (fused.Activation == "ReLU" ? "The recorded mask bit is \"kept and positive\", so nothing but the mask is needed." : "Nothing but the mask is needed."));
            writer.Line("/// </summary>");
            writer.Line("/// <param name=\"gradOutput\">The gradient with respect to the output (also the residual's gradient).</param>");
            if (fused.BackwardTakesPreActivation)
            {
                parameters.Add(ReadOnlySpan + "<" + element + "> preActivation");
                writer.Line("/// <param name=\"preActivation\">The pre-activation the forward call was given.</param>");
                if (fused.HasBias)
                {
                    parameters.Add(ReadOnlySpan + "<" + element + "> bias");
                    writer.Line("/// <param name=\"bias\">The bias the forward call was given.</param>");
                }
            }

            parameters.Add(Span + "<" + element + "> gradPreActivation");
            writer.Line("/// <param name=\"gradPreActivation\">Receives the gradient with respect to the pre-activation; may be <paramref name=\"gradOutput\"/> itself.</param>");
            if (fused.HasBias)
            {
                parameters.Add(Span + "<" + element + "> gradBias");
                writer.Line("/// <param name=\"gradBias\">Receives (is overwritten with) the bias gradient, one per column.</param>");
            }

            writer.Line(GeneratedCodeAttribute);
            writer.Line(method.Accessibility + " void " + method.Name + "Backward(" + string.Join(", ", parameters) + ") =>");
            string preActivation = fused.BackwardTakesPreActivation ? "preActivation" : none;
            string bias = fused.BackwardTakesPreActivation && fused.HasBias ? "bias" : none;
            string gradBias = fused.HasBias ? "gradBias" : "default(" + Span + "<" + element + ">)";
            writer.Line("    " + state + ".FusedBackward(gradOutput, " + preActivation + ", " + bias + ", gradPreActivation, " + gradBias + ", " + activation + ", " + dropout + ");");
        }

        // ---------------------------------------------------------------- DropConnect form

        private static void WriteDropConnectMembers(CodeWriter writer, DropoutSiteModel site, DropoutMethodModel method, DropConnectModel dense, string kernel)
        {
            string prefix = Parser.MethodFieldPrefix(method.PlainName);
            string state = "this." + prefix + "State";
            string inputs = Count(site.ShapeFirst);
            string dropout = site.Spec.IsIdentity ? "default(global::Dropout.NoDropout<float>)" : "default(" + kernel + ")";
            string input = method.FirstParameterName, output = method.SecondParameterName;
            bool hasBias = dense.Bias.Length > 0;
            string what = site.Spec.IsIdentity
                ? "p = 1 keeps every weight: the plain dense layer in every mode, drawing nothing."
                : "In training and Monte Carlo mode, keeps each weight with probability " + DoubleLiteral(site.Spec.KeepProbability) + " and multiplies it by 1/p, drawing a fresh weight mask from this site's stream; in inference mode, the plain dense layer.";
            WriteForwardStateField(writer, prefix);
            writer.Line();
            writer.Line("// " + output + " = " + input + "·(" + dense.Weights + " ⊙ M / p)ᵀ" + (hasBias ? " + " + dense.Bias : string.Empty) + ", with " + dense.Weights + " (outputs, " + inputs + ") and " + input + " (batch, " + inputs + "). " + what);
            writer.Line(GeneratedCodeAttribute);
            writer.Line(method.Modifiers + " void " + method.Name + "(" + dense.Parameters + ") =>");
            writer.Line("    " + state + ".DropConnectForward(" + input + ", " + dense.Weights + ", " + (hasBias ? dense.Bias : "default(" + ReadOnlySpan + "<float>)") + ", " + output + ", " + inputs
                + ", storeMask: " + (site.StoresMaskBits ? "true" : "false") + ", this.DropoutContext, " + dropout + ");");

            writer.Line();
            writer.Lines(
                "/// <summary>",
                "/// Back-propagates through the last call of <see cref=\"" + method.Name + "\"/> with exactly its weight mask M:",
                "/// <c>gradInput = gradOutput·W'</c>, <c>gradWeights = (gradOutputᵀ·input) ⊙ M / p</c>" + (hasBias ? ", <c>gradBias = Σ_rows gradOutput</c>" : string.Empty) + ", where",
                "/// <c>W' = weights ⊙ M / p</c> is recomputed from the weights.",
                "/// </summary>",
                "/// <param name=\"gradOutput\">The gradient with respect to the output, (batch, outputs).</param>",
                "/// <param name=\"input\">The input the forward call was given.</param>",
                "/// <param name=\"weights\">The weights the forward call was given (before they are updated).</param>",
                "/// <param name=\"gradInput\">Receives the gradient with respect to the input.</param>",
                "/// <param name=\"gradWeights\">Receives (is overwritten with) the gradient with respect to the weights.</param>");
            if (hasBias)
            {
                writer.Line("/// <param name=\"gradBias\">Receives (is overwritten with) the bias gradient; an empty span skips it.</param>");
            }

            writer.Line(GeneratedCodeAttribute);
            writer.Line(method.Accessibility + " void " + method.Name + "Backward(" + ReadOnlySpan + "<float> gradOutput, " + ReadOnlySpan + "<float> input, " + ReadOnlySpan + "<float> weights, "
                + Span + "<float> gradInput, " + Span + "<float> gradWeights" + (hasBias ? ", " + Span + "<float> gradBias" : string.Empty) + ") =>");
            writer.Line("    " + state + ".DropConnectBackward(gradOutput, input, weights, gradInput, gradWeights, " + (hasBias ? "gradBias" : "default(" + Span + "<float>)") + ", " + inputs + ", " + dropout + ");");
        }

        private static void WriteForwardStateField(CodeWriter writer, string prefix)
        {
            writer.Line("// What the last forward call leaves for its backward call (mode, length, stream position, mask): see DropoutSiteState.");
            writer.Line("private global::Dropout.DropoutSiteState " + prefix + "State;");
        }

        // ---------------------------------------------------------------- shared bodies

        private static void WriteForwardBody(CodeWriter writer, DropoutSiteModel site, string kernel, string element, string input, string output, string prefix, bool isMethodSite)
        {
            string size = site.FixedSize.ToString(CultureInfo.InvariantCulture);
            string outputName = StringLiteral(output.TrimStart('@'));
            if (site.Spec.IsIdentity)
            {
                if (site.IsShaped)
                {
                    writer.Line("// p = 1 is the identity, but a call that is not a whole number of samples is refused at every p.");
                    writer.Line(NoiseShapeCall(site, input) + ";");
                }

                writer.Line("// p = 1: dropout keeps every element; an in-place call does no work at all.");
                writer.Line(Support + ".Identity(" + input + ", " + output + ", " + outputName + ", " + size + ");");
                return;
            }

            string state = "this." + prefix + "State";
            writer.Line(DropoutContextType + " siteContext = this.DropoutContext;");
            if (site.IsShaped)
            {
                // Checked first: a call that is not a whole number of samples changes no state.
                writer.Line(NoiseShapeType + " siteShape = " + NoiseShapeCall(site, input) + ";");
            }

            writer.Open("if (" + state + ".BeginForward(" + input + ", " + output + ", " + outputName + ", " + size + ", siteContext))");
            writer.Line("// Training or Monte Carlo mode (in inference the call above was the identity): " + (site.Kind == "Gaussian" ? "fresh noise" : "a fresh mask") + " from this site's stream.");
            string stream = isMethodSite ? state + ".StreamFor(siteContext)" : "this.DropoutStream";
            string storeMask = "storeMask: " + (site.StoresMaskBits && site.Kind != "Gaussian" ? "true" : "false");
            if (site.IsElementwise)
            {
                writer.Line(state + ".Forward(" + input + ", " + output + ", " + stream + ", " + storeMask + ", default(" + kernel + "));");
            }
            else
            {
                string shape = site.IsShaped ? "siteShape" : "default(" + NoiseShapeType + ")";
                writer.Line(state + ".VariantForward(" + input + ", " + output + ", " + KindType + "." + site.Kind + ", " + shape + ", " + stream + ", " + storeMask + ", default(" + kernel + "));");
            }

            writer.Close();
        }

        private const string KindType = "global::Dropout.DropoutKind";
        private const string NoiseShapeType = "global::Dropout.DropoutNoiseShape";

        // The shape of one call of a shaped site: its batch is the call's length over the sample the attribute fixed.
        private static string NoiseShapeCall(DropoutSiteModel site, string input) =>
            Support + ".NoiseShape(" + KindType + "." + site.Kind + ", " + input + ".Length, " + Count(site.ShapeFirst) + ", " + Count(site.ShapeSecond) + ", " + StringLiteral(input.TrimStart('@')) + ")";

        private static void WriteBackwardBody(CodeWriter writer, DropoutSiteModel site, string kernel, string element, string gradOutput, string gradInput, string prefix)
        {
            string size = site.FixedSize.ToString(CultureInfo.InvariantCulture);
            if (site.Spec.IsIdentity)
            {
                if (site.IsShaped)
                {
                    writer.Line(NoiseShapeCall(site, gradOutput) + ";");
                }

                writer.Line(Support + ".Identity(" + gradOutput + ", " + gradInput + ", " + StringLiteral(gradInput) + ", " + size + ");");
                return;
            }

            string backward = site.IsElementwise ? "Backward" : "VariantBackward";
            writer.Line("this." + prefix + "State." + backward + "(" + gradOutput + ", " + gradInput + ", " + StringLiteral(gradInput) + ", " + size + ", default(" + kernel + "));");
        }

        // ---------------------------------------------------------------- literals

        /// <summary>A C# literal that reads back as exactly <paramref name="value"/>, which must be finite.</summary>
        public static string DoubleLiteral(double value)
        {
            if (double.IsNaN(value) || double.IsInfinity(value))
            {
                // The parser accepts only p in [2^-24, 1], so 1/p is at most 2^24; this guards that promise.
                throw new ArgumentOutOfRangeException(nameof(value), value, "Generated code never contains a NaN or infinite literal.");
            }

            string text = value.ToString("R", CultureInfo.InvariantCulture);
            if (double.Parse(text, CultureInfo.InvariantCulture) != value)
            {
                text = value.ToString("G17", CultureInfo.InvariantCulture);
            }

            return text.IndexOfAny(['.', 'E', 'e']) >= 0 ? text : text + ".0";
        }

        /// <summary>A C# float literal that reads back as exactly <paramref name="value"/>, which must be finite.</summary>
        public static string FloatLiteral(float value)
        {
            if (float.IsNaN(value) || float.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Generated code never contains a NaN or infinite literal.");
            }

            string text = value.ToString("R", CultureInfo.InvariantCulture);
            if (float.Parse(text, CultureInfo.InvariantCulture) != value)
            {
                text = value.ToString("G9", CultureInfo.InvariantCulture);
            }

            return text + "F";
        }
    }
}
