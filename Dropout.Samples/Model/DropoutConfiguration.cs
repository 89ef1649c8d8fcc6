namespace Dropout.Samples.Model;

/// <summary>Which dropout layers the network has. Every configuration has the same dense layers and the same initial weights.</summary>
public enum DropoutConfiguration
{
    /// <summary>No dropout: the baseline that overfits.</summary>
    None = 0,

    /// <summary>Dropout (p = 0.5) after each hidden layer only.</summary>
    Hidden = 1,

    /// <summary>The literature's recipe (Srivastava et al., 2014): p = 0.8 on the input pixels and 0.5 after each hidden layer.</summary>
    InputAndHidden = 2,
}

/// <summary>Names of <see cref="DropoutConfiguration"/> values for tables, files and progress lines.</summary>
public static class DropoutConfigurationNames
{
    /// <summary>Gets a short human-readable name.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <returns>For example "input 0.8 + hidden 0.5".</returns>
    public static string Describe(this DropoutConfiguration configuration) => configuration switch
    {
        DropoutConfiguration.None => "no dropout",
        DropoutConfiguration.Hidden => "hidden 0.5",
        DropoutConfiguration.InputAndHidden => "input 0.8 + hidden 0.5",
        _ => throw new ArgumentOutOfRangeException(nameof(configuration), configuration, null),
    };

    /// <summary>Gets a stable identifier for file formats (CSV column values, JSON).</summary>
    /// <param name="configuration">The configuration.</param>
    /// <returns>For example "input-and-hidden".</returns>
    public static string Identifier(this DropoutConfiguration configuration) => configuration switch
    {
        DropoutConfiguration.None => "none",
        DropoutConfiguration.Hidden => "hidden",
        DropoutConfiguration.InputAndHidden => "input-and-hidden",
        _ => throw new ArgumentOutOfRangeException(nameof(configuration), configuration, null),
    };
}
