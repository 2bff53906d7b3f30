package dev.traininghealth.rules.detector;

/**
 * The plateau verdict several detectors share (and the agent's trend task): no significant
 * downward trend over the window, or too little improvement to matter. Holds a
 * {@link BlockTrend} and the parameters of the verdict.
 *
 * <p>Hysteresis: a converging loss sits near both thresholds for thousands of iterations, and a
 * single pair of thresholds made the verdict flap (575 flips and 421 alert changes over the
 * 50,000 iterations of RuleBench's run). So the loss enters a plateau at {@code z} and
 * {@code min_relative_improvement}, but leaves it only when the fall is clearly back: z below
 * -{@code leave_z} (2.326, one-sided 1%) and a fall of at least {@code leave_relative_improvement}
 * (2%) across the window, which an escape (XOR leaving 0.69) passes at once and a slowly
 * converging run does not (17 flips and 26 alert changes on the same run).
 *
 * <p>{@code min_share_of_start} (default 0, off) tells a run that stalled early from one that
 * converged: the loss only counts as flat while its latest block mean is at least that share of
 * the run's first block mean. A run stuck on a plateau, at a saddle or in a bad basin sits near
 * where it started (XOR and the zoo's saddle at 100%, the zoo's bad local minimum at 22%); a run
 * that converged sits far below it (the zoo's healthy MLP at 0.1%, its saddle once escaped at
 * 1e-14). Rules that act on a plateau by kicking or restarting the run need that difference;
 * rules that only inform do not.
 *
 * <p>{@code max_share_of_start} (default 0, off) is the other side: the loss only counts as flat
 * while its latest block mean is at most that share of the first. It tells a second plateau,
 * reached after the run made progress, from the first one near where the run began: XOR's net
 * that learned NOR with both hidden units sits at 0.167 after starting at 0.25-0.30 (56-67%), and
 * what helps there (replacing a unit) is not what helps on the first plateau (a larger rate).
 *
 * <p>{@code max_relative_spread} (default 0, off): flat only while the window's block means lie
 * within that share of their mean, that is, while the loss stays still. A window in which the loss
 * went up and down counts as flat for the trend test (no significant fall); the zoo's
 * edge-of-stability runs do that at 25-70% of their start (block means 28, 29, 31, 27, 31, 14%),
 * while a stalled XOR net moves by about 1% over 60 iterations.
 */
public final class LossPlateau {
  static final String WINDOW = "window";
  static final String BLOCK = "block";
  static final String MIN_IMPROVEMENT = "min_relative_improvement";
  static final String Z = "z";
  static final String LEAVE_Z = "leave_z";
  static final String LEAVE_IMPROVEMENT = "leave_relative_improvement";
  static final String MIN_SHARE_OF_START = "min_share_of_start";
  static final String MAX_SHARE_OF_START = "max_share_of_start";
  static final String MAX_SPREAD = "max_relative_spread";
  static final int DEFAULT_BLOCK = 10;
  static final double DEFAULT_MIN_IMPROVEMENT = 1e-3;
  static final double DEFAULT_Z = 1.645;
  static final double DEFAULT_LEAVE_Z = 2.326;
  static final double DEFAULT_LEAVE_IMPROVEMENT = 2e-2;

  private final BlockTrend trend;
  private final double minImprovement;
  private final double zCritical;
  private final double leaveZ;
  private final double leaveImprovement;
  private final double minShareOfStart;
  private final double maxShareOfStart;
  private final double maxSpread;
  private final int block;
  private double startMean = Double.NaN;
  private double recentMean = Double.NaN;
  private double blockSum;
  private int blockCount;
  private boolean flat;

  LossPlateau(Params p) {
    this(p.size(WINDOW), p.size(BLOCK), p.number(MIN_IMPROVEMENT), p.number(Z),
        p.number(LEAVE_Z), p.number(LEAVE_IMPROVEMENT), p.number(MIN_SHARE_OF_START),
        p.number(MAX_SHARE_OF_START), p.number(MAX_SPREAD));
  }

  /** As the seven-argument constructor, with {@code min_share_of_start} off. */
  public LossPlateau(int window, int block, double minImprovement, double z, double leaveZ,
      double leaveImprovement) {
    this(window, block, minImprovement, z, leaveZ, leaveImprovement, 0);
  }

  /**
   * A plateau test over {@code window} losses in blocks of {@code block}, entered at {@code z} /
   * {@code minImprovement} and left at {@code leaveZ} / {@code leaveImprovement} (see the class
   * comment); the parameters and their defaults are those of the {@code plateau} detector.
   */
  public LossPlateau(int window, int block, double minImprovement, double z, double leaveZ,
      double leaveImprovement, double minShareOfStart) {
    this(window, block, minImprovement, z, leaveZ, leaveImprovement, minShareOfStart, 0, 0);
  }

  /**
   * As the seven-argument constructor, flat only while the loss is at most
   * {@code maxShareOfStart} of its start (0: off; else above {@code minShareOfStart}) and its
   * block means spread over at most {@code maxSpread} of their mean (0: off).
   */
  public LossPlateau(int window, int block, double minImprovement, double z, double leaveZ,
      double leaveImprovement, double minShareOfStart, double maxShareOfStart,
      double maxSpread) {
    if (block < 1 || window % block != 0) {
      throw new IllegalArgumentException(
          "window (" + window + ") must be a multiple of block (" + block + ")");
    }
    if (leaveZ < z || leaveImprovement < minImprovement) {
      throw new IllegalArgumentException("leave_z (" + leaveZ + ") must be >= z (" + z
          + ") and leave_relative_improvement (" + leaveImprovement
          + ") >= min_relative_improvement (" + minImprovement + ")");
    }
    this.trend = new BlockTrend(window / block, block);
    this.minImprovement = minImprovement;
    this.zCritical = z;
    this.leaveZ = leaveZ;
    this.leaveImprovement = leaveImprovement;
    if (maxShareOfStart > 0 && maxShareOfStart <= minShareOfStart) {
      throw new IllegalArgumentException("max_share_of_start (" + maxShareOfStart
          + ") must be above min_share_of_start (" + minShareOfStart + "), or 0 (off)");
    }
    this.minShareOfStart = minShareOfStart;
    this.maxShareOfStart = maxShareOfStart;
    this.maxSpread = maxSpread;
    this.block = block;
  }

  /** With the {@code plateau} detector's defaults but {@code window} (a multiple of 10). */
  public static LossPlateau withWindow(int window) {
    return new LossPlateau(window, DEFAULT_BLOCK, DEFAULT_MIN_IMPROVEMENT, DEFAULT_Z,
        DEFAULT_LEAVE_Z, DEFAULT_LEAVE_IMPROVEMENT);
  }

  static ParamSpec[] params(long window) {
    return new ParamSpec[] {
      ParamSpec.integer(WINDOW, window, 5, "iterations the trend test looks back over"),
      ParamSpec.integer(BLOCK, DEFAULT_BLOCK, 1,
          "losses averaged into one block mean before the test, to tame autocorrelation"),
      ParamSpec.number(MIN_IMPROVEMENT, DEFAULT_MIN_IMPROVEMENT, 0,
          "relative fall of the loss across the window below which it counts as flat"),
      ParamSpec.number(Z, DEFAULT_Z, 0,
          "Mann-Kendall z a fall must beat to be significant (1.645: one-sided 5%)"),
      ParamSpec.number(LEAVE_Z, DEFAULT_LEAVE_Z, 0,
          "Mann-Kendall z a fall must beat to leave a plateau (2.326: one-sided 1%); >= z"),
      ParamSpec.number(LEAVE_IMPROVEMENT, DEFAULT_LEAVE_IMPROVEMENT, 0,
          "relative fall across the window needed to leave a plateau; >= min_relative_improvement"),
      ParamSpec.number(MIN_SHARE_OF_START, 0, 0,
          "flat only while the loss is at least this share of the run's first block mean (0:"
              + " always); tells a run stuck early from a converged one"),
      ParamSpec.number(MAX_SHARE_OF_START, 0, 0,
          "flat only while the loss is at most this share of the run's first block mean (0:"
              + " always); tells a second plateau, after progress, from the first"),
      ParamSpec.number(MAX_SPREAD, 0, 0,
          "flat only while the window's block means lie within this share of their mean (0:"
              + " always); tells a still loss from one that goes up and down"),
    };
  }

  /** Takes one loss; returns true when the verdict was redone (once per block). */
  public boolean add(double loss) {
    if (!Double.isFinite(loss)) {
      return false;
    }
    blockSum += loss;
    if (++blockCount == block) {
      recentMean = blockSum / block;
      if (Double.isNaN(startMean)) {
        startMean = recentMean;
      }
      blockSum = 0;
      blockCount = 0;
    }
    if (trend.add(loss) && trend.ready()) {
      flat = flat
          ? trend.z() > -leaveZ || trend.relativeImprovement() < leaveImprovement
          : trend.z() > -zCritical || trend.relativeImprovement() < minImprovement;
      if (farBelowStart() || nearStart() || unsteady()) {
        flat = false;
      }
      return true;
    }
    return false;
  }

  /** Whether the loss has fallen below {@code min_share_of_start} of where the run began. */
  private boolean farBelowStart() {
    return minShareOfStart > 0 && startMean > 0 && recentMean < minShareOfStart * startMean;
  }

  /** Whether the window's block means spread more than {@code max_relative_spread}. */
  private boolean unsteady() {
    return maxSpread > 0 && trend.relativeSpread() > maxSpread;
  }

  /** Whether the loss is still above {@code max_share_of_start} of where the run began. */
  private boolean nearStart() {
    return maxShareOfStart > 0 && startMean > 0 && recentMean > maxShareOfStart * startMean;
  }

  public boolean ready() {
    return trend.ready();
  }

  /** Whether the loss is flat; false until the window has filled. */
  public boolean flat() {
    return trend.ready() && flat;
  }

  /** Mann-Kendall z of the last verdict; negative when the loss goes down. */
  public double z() {
    return trend.z();
  }

  /** Relative fall of the loss across the window at the last verdict. */
  public double relativeImprovement() {
    return trend.relativeImprovement();
  }

  public int window() {
    return trend.window();
  }

  /** One sentence on the current verdict's numbers. */
  public String describe() {
    return String.format(
        java.util.Locale.ROOT,
        "loss flat over %d iterations (Mann-Kendall z=%.2f, relative improvement %.2e)",
        trend.window(), trend.z(), trend.relativeImprovement());
  }
}
