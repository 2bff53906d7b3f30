package dev.traininghealth.bench;

/**
 * How a run is helped, if at all. Every arm gets the same iterations. The schedules swing the
 * learning rate up to {@value #PEAK} times the job's own, the factor of the rescue rules'
 * {@code lr_kick}, so that they differ from the rescue in when and whether they act, not in how
 * hard.
 */
enum RescueArm {
  /** The job as its user runs it. */
  NONE("none"),
  /** Triangular cyclical learning rate (Smith, WACV 2017): four cycles, base to 10x base. */
  CYCLIC("cyclical LR"),
  /** Cosine annealing with warm restarts (Loshchilov and Hutter, ICLR 2017), 10x base to 0. */
  SGDR("SGDR"),
  /** Four equal segments, each from a new draw of the initialisation; the best one counts. */
  RESTARTS("random restarts"),
  /** The agent attached, the daemon watching with the rescue rules and sending commands. */
  DAEMON("daemon rescue"),
  /**
   * No help and no pacing: only to measure what pacing alone does to the CPU time (not in the
   * default arms; ask for it with {@code --arms none,unpaced}).
   */
  UNPACED("none, unpaced");

  static final double PEAK = 10;
  static final int CYCLES = 4;
  static final int SEGMENTS = 4;

  final String label;

  RescueArm(String label) {
    this.label = label;
  }

  /**
   * Whether the arm's steps are stretched to the bench's least step time. The daemon arm needs it
   * (see {@code RescueBench}); the no-help arm gets the same, because its CPU time is what the
   * daemon arm's is divided by, and a thread that sleeps between steps pays more CPU for the same
   * step (cold caches, the daemon's threads running in between; {@link #UNPACED} measures it).
   * The schedules need no daemon and only their final losses are compared, so they run unpaced.
   */
  boolean paced() {
    return this == NONE || this == DAEMON;
  }

  /**
   * The learning rate for iteration {@code t} of {@code budget} under this arm's schedule, or NaN
   * when the arm leaves the job's own rate alone.
   */
  double learningRate(double base, int t, int budget) {
    switch (this) {
      case CYCLIC: {
        double half = budget / (2.0 * CYCLES);
        double x = Math.abs(t / half % 2 - 1); // 1 at the cycle's ends, 0 at its middle
        return base + (PEAK * base - base) * (1 - x);
      }
      case SGDR: {
        // Periods T0, 2 T0, 4 T0 (T_mult 2) fill the budget: T0 = budget / 7.
        double t0 = budget / 7.0;
        double start = 0;
        double period = t0;
        while (t >= start + period && period < budget) {
          start += period;
          period *= 2;
        }
        double frac = Math.min(1, (t - start) / period);
        return 0.5 * PEAK * base * (1 + Math.cos(Math.PI * frac));
      }
      default:
        return Double.NaN;
    }
  }
}
