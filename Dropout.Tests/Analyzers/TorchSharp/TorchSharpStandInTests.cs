using Dropout.Analyzers;

namespace Dropout.Tests.Analyzers.TorchSharp;

/// <summary>
/// A project that builds without the TorchSharp package declares a stand-in for TorchSharp's own types in source (the
/// <c>torch.nn.Module</c> base keeping its children in a <c>List&lt;Module&gt;</c>, the <c>Dropout</c> module). Those types
/// are TorchSharp's, never a user's model: the real package is a referenced assembly, so the rules judge only the user's
/// modules, and a user's module keeping dropout in a list is still reported against the stand-in.
/// </summary>
public sealed class TorchSharpStandInTests
{
    // A stand-in written for these tests: just the surface the user code below needs.
    private const string StandIn = """
        using System;
        using System.Collections.Generic;

        namespace TorchSharp
        {
            public sealed class Tensor { }

            public static partial class torch
            {
                public static partial class nn
                {
                    public abstract class Module
                    {
                        private readonly List<Module> children = new List<Module>();
                        protected Module(string name) { }
                        public bool training { get; private set; } = true;
                        public Module train(bool on = true) { training = on; foreach (var child in children) child.train(on); return this; }
                        public Module eval() => train(false);
                        protected void RegisterComponents()
                        {
                            foreach (var field in GetType().GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic))
                                if (field.GetValue(this) is Module module) children.Add(module);
                        }
                    }

                    public abstract class Module<T, TResult> : Module
                    {
                        protected Module(string name) : base(name) { }
                        public abstract TResult forward(T input);
                    }

                    public static TorchSharp.Modules.Dropout Dropout(double p = 0.5) => new TorchSharp.Modules.Dropout(p);
                }
            }
        }

        namespace TorchSharp.Modules
        {
            public sealed class Dropout : torch.nn.Module<Tensor, Tensor>
            {
                private readonly double _p;
                public Dropout(double p) : base("Dropout") { _p = p; }
                public override Tensor forward(Tensor input) => input;
            }
        }

        """;

    [Fact]
    public Task StandInModuleBaseKeepingChildrenInAList_IsNotReported() =>
        TorchSharpTest.VerifyWithoutTorchSharpAsync<TorchSharpUnregisteredDropoutAnalyzer>(StandIn + """
            namespace App
            {
                using TorchSharp;
                using static TorchSharp.torch.nn;

                public sealed class Net : Module<Tensor, Tensor>
                {
                    private readonly TorchSharp.Modules.Dropout drop = Dropout(0.3);
                    public Net() : base("Net") { RegisterComponents(); }
                    public override Tensor forward(Tensor x) => drop.forward(x);
                }
            }
            """);

    // The twin: the user's own module keeps its dropout in a list, which RegisterComponents() skips.
    [Fact]
    public Task UserModuleKeepingDropoutInAList_AgainstTheStandIn_IsReported() =>
        TorchSharpTest.VerifyWithoutTorchSharpAsync<TorchSharpUnregisteredDropoutAnalyzer>(StandIn + """
            namespace App
            {
                using System.Collections.Generic;
                using TorchSharp;
                using static TorchSharp.torch.nn;

                public sealed class Net : Module<Tensor, Tensor>
                {
                    private readonly List<Module<Tensor, Tensor>> {|DRP020:stages|} = new List<Module<Tensor, Tensor>>();
                    public Net() : base("Net") { stages.Add(Dropout(0.3)); RegisterComponents(); }
                    public override Tensor forward(Tensor x)
                    {
                        foreach (var stage in stages) x = stage.forward(x);
                        return x;
                    }
                }
            }
            """);
}
