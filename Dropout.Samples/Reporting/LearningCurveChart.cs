using System.Globalization;
using System.Text;
using Dropout.Samples.Model;
using Dropout.Samples.Training;

namespace Dropout.Samples.Reporting;

/// <summary>
/// Draws the learning curves as a self-contained SVG: test accuracy and test loss per epoch, one colour per
/// configuration, the mean over seeds as a thick line and each seed as a faint one.
/// </summary>
public static class LearningCurveChart
{
    private const double PanelWidth = 440;
    private const double PanelHeight = 300;
    private const double MarginLeft = 60;
    private const double MarginTop = 50;
    private const double PanelGap = 90;
    private const double LegendHeight = 70;

    private static readonly Dictionary<DropoutConfiguration, string> s_colours = new()
    {
        [DropoutConfiguration.None] = "#d62728",
        [DropoutConfiguration.Hidden] = "#1f77b4",
        [DropoutConfiguration.InputAndHidden] = "#2ca02c",
    };

    /// <summary>Renders the chart.</summary>
    /// <param name="result">The experiment's results.</param>
    /// <returns>The SVG document.</returns>
    public static string Render(ExperimentResult result)
    {
        double width = MarginLeft + PanelWidth + PanelGap + PanelWidth + 30;
        double height = MarginTop + PanelHeight + LegendHeight;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="{width / 2}" y="20" text-anchor="middle" font-size="15">UCI digits, {result.TrainingCount} training images, 64-{result.Settings.HiddenSize}-{result.Settings.HiddenSize}-10 MLP, seeds 1..{result.Settings.Seeds}</text>

            """);

        DrawPanel(svg, result, MarginLeft, "test accuracy", epoch => epoch.TestAccuracy, isAccuracy: true);
        DrawPanel(svg, result, MarginLeft + PanelWidth + PanelGap, "test loss (cross-entropy)", epoch => epoch.TestLoss, isAccuracy: false);

        double legendY = MarginTop + PanelHeight + 45;
        double legendX = MarginLeft;
        foreach (DropoutConfiguration configuration in ExperimentResult.Configurations)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"""<line x1="{legendX}" y1="{legendY}" x2="{legendX + 30}" y2="{legendY}" stroke="{s_colours[configuration]}" stroke-width="3"/><text x="{legendX + 38}" y="{legendY + 4}">{configuration.Describe()}</text>""");
            svg.Append('\n');
            legendX += 230;
        }

        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{legendX}" y="{legendY + 4}" fill="#555">thick: mean over seeds; faint: each seed</text>""");
        svg.Append("\n</svg>\n");
        return svg.ToString();
    }

    private static void DrawPanel(StringBuilder svg, ExperimentResult result, double left, string title, Func<EpochRecord, double> value, bool isAccuracy)
    {
        int epochs = result.Settings.Epochs;
        var means = ExperimentResult.Configurations
            .Select(configuration => (configuration, runs: result.RunsOf(configuration)))
            .Where(item => item.runs.Count > 0)
            .Select(item => (item.configuration, item.runs, mean: MeanCurve(item.runs, value)))
            .ToList();

        // The first tenth of training is a steep climb that would squash the interesting part; the axis starts after it.
        int settledFrom = Math.Max(1, epochs / 10);
        var settled = means.SelectMany(item => item.mean.Skip(settledFrom - 1)).Where(double.IsFinite).DefaultIfEmpty(isAccuracy ? 1 : 0).ToList();
        double low, high;
        if (isAccuracy)
        {
            low = Math.Max(0, Math.Floor((settled.Min() - 0.01) * 50) / 50);
            high = Math.Min(1, Math.Ceiling((settled.Max() + 0.005) * 50) / 50);
        }
        else
        {
            low = 0;
            high = Math.Max(1e-3, settled.Max() * 1.15);
        }

        if (high <= low)
        {
            high = low + 0.01;
        }

        double X(int epoch) => left + (epochs == 1 ? PanelWidth / 2 : (epoch - 1) * PanelWidth / (epochs - 1));
        double Y(double v) => MarginTop + PanelHeight - ((Math.Clamp(v, low - 1, high + 1) - low) * PanelHeight / (high - low));

        string clipId = isAccuracy ? "clip-accuracy" : "clip-loss";
        svg.Append(CultureInfo.InvariantCulture, $"""
            <clipPath id="{clipId}"><rect x="{left}" y="{MarginTop}" width="{PanelWidth}" height="{PanelHeight}"/></clipPath>
            <text x="{left + (PanelWidth / 2)}" y="{MarginTop - 12}" text-anchor="middle" font-size="13">{title}</text>
            <rect x="{left}" y="{MarginTop}" width="{PanelWidth}" height="{PanelHeight}" fill="none" stroke="#999"/>

            """);

        double step = NiceStep(high - low);
        for (double tick = Math.Ceiling(low / step) * step; tick <= high + 1e-9; tick += step)
        {
            string label = isAccuracy ? (tick * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%" : tick.ToString("0.###", CultureInfo.InvariantCulture);
            svg.Append(CultureInfo.InvariantCulture,
                $"""<line x1="{left}" y1="{Y(tick):F1}" x2="{left + PanelWidth}" y2="{Y(tick):F1}" stroke="#eee"/><text x="{left - 6}" y="{Y(tick) + 4:F1}" text-anchor="end">{label}</text>""");
            svg.Append('\n');
        }

        double epochStep = NiceStep(epochs);
        for (double tick = epochStep; tick <= epochs; tick += epochStep)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"""<text x="{X((int)tick):F1}" y="{MarginTop + PanelHeight + 16}" text-anchor="middle">{tick}</text>""");
            svg.Append('\n');
        }

        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{left + (PanelWidth / 2)}" y="{MarginTop + PanelHeight + 32}" text-anchor="middle">epoch</text>""");
        svg.Append('\n');

        svg.Append(CultureInfo.InvariantCulture, $"""<g clip-path="url(#{clipId})" fill="none" stroke-linejoin="round">""");
        svg.Append('\n');
        foreach (var (configuration, runs, mean) in means)
        {
            foreach (RunResult run in runs)
            {
                AppendPolyline(svg, run.Epochs.Select(value).ToList(), X, Y, s_colours[configuration], width: 1, opacity: 0.25);
            }

            AppendPolyline(svg, mean, X, Y, s_colours[configuration], width: 2.5, opacity: 1);
        }

        svg.Append("</g>\n");
    }

    private static void AppendPolyline(StringBuilder svg, IReadOnlyList<double> values, Func<int, double> x, Func<double, double> y, string colour, double width, double opacity)
    {
        svg.Append(CultureInfo.InvariantCulture, $"""<polyline stroke="{colour}" stroke-width="{width}" stroke-opacity="{opacity}" points=" """);
        for (int i = 0; i < values.Count; i++)
        {
            if (double.IsFinite(values[i]))
            {
                svg.Append(CultureInfo.InvariantCulture, $"{x(i + 1):F1},{y(values[i]):F1} ");
            }
        }

        svg.Append("\"/>\n");
    }

    private static List<double> MeanCurve(IReadOnlyList<RunResult> runs, Func<EpochRecord, double> value) =>
        Enumerable.Range(0, runs[0].Epochs.Count).Select(epoch => runs.Average(run => value(run.Epochs[epoch]))).ToList();

    // The smallest of 1, 2, 5 times a power of ten that divides the range into at most eight intervals.
    private static double NiceStep(double range)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(range / 8)));
        foreach (double multiple in (ReadOnlySpan<double>)[1, 2, 5, 10])
        {
            if (range / (multiple * power) <= 8)
            {
                return multiple * power;
            }
        }

        return 10 * power;
    }
}
