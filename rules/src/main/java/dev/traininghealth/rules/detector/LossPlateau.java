package dev.traininghealth.rules.detector;

/**
 * The plateau verdict several detectors share: no significant downward trend over the window, or
 * too little improvement to matter. Holds a {@link BlockTrend} and the parameters of the verdict.
 */
final class LossPlateau {
  static final String WINDOW = "window";
  static final String BLOCK = "block";
  static final String MIN_IMPROVEMENT = "min_relative_improvement";
  static final String Z = "z";

  private final BlockTrend trend;
  private final double minImprovement;
  private final double zCritical;
  private boolean flat;

  LossPlateau(Params p) {
    int window = p.size(WINDOW);
    int block = p.size(BLOCK);
    if (block < 1 || window % block != 0) {
      throw new IllegalArgumentException(
          "window (" + window + ") must be a multiple of block (" + block + ")");
    }
    this.trend = new BlockTrend(window / block, block);
    this.minImprovement = p.number(MIN_IMPROVEMENT);
    this.zCritical = p.number(Z);
  }

  static ParamSpec[] params(long window) {
    return new ParamSpec[] {
      ParamSpec.integer(WINDOW, window, 5, "iterations the trend test looks back over"),
      ParamSpec.integer(BLOCK, 10, 1,
          "losses averaged into one block mean before the test, to tame autocorrelation"),
      ParamSpec.number(MIN_IMPROVEMENT, 1e-3, 0,
          "relative fall of the loss across the window below which it counts as flat"),
      ParamSpec.number(Z, 1.645, 0,
          "Mann-Kendall z a fall must beat to be significant (1.645: one-sided 5%)"),
    };
  }

  /** Takes one loss; returns true when the verdict was redone (once per block). */
  boolean add(double loss) {
    if (!Double.isFinite(loss)) {
      return false;
    }
    if (trend.add(loss) && trend.ready()) {
      flat = trend.z() > -zCritical || trend.relativeImprovement() < minImprovement;
      return true;
    }
    return false;
  }

  boolean ready() {
    return trend.ready();
  }

  /** Whether the loss is flat; false until the window has filled. */
  boolean flat() {
    return trend.ready() && flat;
  }

  double z() {
    return trend.z();
  }

  double relativeImprovement() {
    return trend.relativeImprovement();
  }

  int window() {
    return trend.window();
  }

  String describe() {
    return String.format(
        java.util.Locale.ROOT,
        "loss flat over %d iterations (Mann-Kendall z=%.2f, relative improvement %.2e)",
        trend.window(), trend.z(), trend.relativeImprovement());
  }
}
