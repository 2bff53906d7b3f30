package dev.traininghealth.agent.action;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.BoundaryTask;
import dev.traininghealth.agent.Emitter;
import dev.traininghealth.agent.curvature.CurvatureEstimate;
import dev.traininghealth.rules.command.Command;
import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.Header;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Applies commands at iteration boundaries, on the training thread, and reports an
 * {@code action_result} for every one of them: applied, rejected (with the check that failed),
 * expired, or failed (with why). A command never reaches the network unless {@link CommandGate}
 * passed it, and nothing a command does can throw into {@code fit}.
 *
 * <p>Besides commands, each boundary does the bookkeeping the actions need: the learning-rate
 * override of a running kick, the rollback snapshot every {@code actions.rollback.every}
 * iterations, the weight average while SWA runs, an automatic checkpoint every
 * {@code actions.checkpoint.every} iterations, and a smoothed loss to rank checkpoints by.
 *
 * <p>{@code stop}: DL4J's {@code fit} has no way to be ended from a listener (its loops check
 * nothing, and an exception thrown from {@code iterationDone} propagates out of {@code fit} and
 * would look like a crash). So {@code stop} freezes the run (learning rate 0 for every updater
 * from the next step on, so the parameters no longer move and no later command can change that)
 * and raises {@link #stopRequested()}, which the user's own training loop, or the
 * {@code -javaagent}, can check to end the loop; without that, {@code fit} runs its remaining
 * batches without changing anything.
 */
public final class ActionExecutor implements BoundaryTask {
  private static final double LOSS_SMOOTHING = 0.1;

  private final ActionSettings settings;
  private final String job;
  private final CommandInbox inbox;
  private boolean holdCommands;
  private final AutoCloseable receiver;
  private final Supplier<CurvatureEstimate> curvature;
  private final LongSupplier clock;
  private final CommandGate gate;
  private final LearningRateControl lr = new LearningRateControl();
  private final RollbackSnapshots snapshots;
  private final Checkpoints checkpoints;
  private final WeightAverage swa;
  private long reportedDrops;
  private double smoothedLoss = Double.NaN;
  private volatile boolean stopRequested;

  private ActionExecutor(Builder b) {
    this.settings = b.settings;
    this.job = b.job;
    this.inbox = b.inbox != null ? b.inbox : new CommandInbox(settings.queueCapacity());
    this.receiver = b.receiver;
    this.curvature = b.curvature;
    this.clock = b.clock;
    this.gate = new CommandGate(settings, job);
    this.snapshots = new RollbackSnapshots(settings.rollbackEvery(), settings.rollbackKeep());
    this.checkpoints = new Checkpoints(settings.checkpointPath(job), settings.checkpointKeep());
    this.swa = new WeightAverage(settings.swaBatchNormBatches());
  }

  /**
   * @param settings needs a key of at least 16 bytes (whether or not {@code commands.enabled})
   * @param job the job this agent serves; commands for others are rejected
   */
  public static Builder builder(ActionSettings settings, String job) {
    return new Builder(settings, job);
  }

  /**
   * The executor the agent runs when {@code commands.enabled=true}: reads {@code th.commands}
   * from the configured brokers. {@code curvature} gives the curvature probe's latest estimate
   * for {@code curvature_step} (null: that action fails, saying so).
   */
  public static ActionExecutor start(AgentConfig config, Supplier<CurvatureEstimate> curvature) {
    ActionSettings s = config.actions();
    CommandInbox inbox = new CommandInbox(s.queueCapacity());
    CommandConsumer consumer =
        CommandConsumer.start(config.bootstrapServers(), s.topic(), config.job(), config.kafka(),
            inbox);
    return builder(s, config.job()).inbox(inbox).receiver(consumer).curvature(curvature).build();
  }

  @Override
  public String name() {
    return "actions";
  }

  /** Where commands for this executor go. */
  public CommandInbox inbox() {
    return inbox;
  }

  /** True once a {@code stop} was applied: a training loop that checks it should end. */
  public boolean stopRequested() {
    return stopRequested;
  }

  /** Iterations between rollback copies now, and copies kept (for benchmarks and reports). */
  String rollbackCadence() {
    return "every " + snapshots.cadence() + " iterations, " + snapshots.kept() + " copies kept";
  }

  /** The learning-rate factor in force (persistent scale x running kick; 0 after stop). */
  public double learningRateFactor() {
    return lr.factor();
  }

  @Override
  public boolean mayChangeModel(int iteration) {
    // Bookkeeping only copies (snapshots, checkpoints, weight averages) or sets the learning
    // rate; commands may restore or move the parameters.
    boolean waiting = !inbox.isEmpty();
    // A command arriving after this answer waits for the next boundary: the listener did not
    // wait for the helper thread on its account.
    holdCommands = !waiting;
    return waiting;
  }

  @Override
  public void atBoundary(Model model, int iteration, int epoch, Emitter out) {
    try {
      bookkeeping(model, iteration, epoch);
    } catch (Throwable t) {
      // Bookkeeping failing costs the actions that need it, never the run; the commands still
      // get their answers below.
      System.err.println("[training-health] action bookkeeping failed: " + t);
    }
    boolean hold = holdCommands;
    holdCommands = false;
    for (Inbound in = hold ? null : inbox.poll(); in != null; in = inbox.poll()) {
      handle(in, model, iteration, epoch, out);
    }
    long drops = inbox.dropped();
    if (drops > reportedDrops) {
      out.emit(
          ActionResult.of(out.header(iteration, epoch), "", "", ActionResult.Outcome.REJECTED,
              "command queue full (commands.queue.capacity=" + settings.queueCapacity() + "): "
                  + (drops - reportedDrops) + " command(s) dropped unread"));
      reportedDrops = drops;
    }
  }

  private void bookkeeping(Model model, int iteration, int epoch) throws IOException {
    if (!ModelState.supported(model)) {
      return;
    }
    double score = model.score();
    if (Double.isFinite(score)) {
      smoothedLoss =
          Double.isNaN(smoothedLoss) ? score : smoothedLoss + LOSS_SMOOTHING * (score - smoothedLoss);
    }
    lr.atBoundary(model, iteration, epoch);
    snapshots.atBoundary(model, iteration, score);
    swa.atBoundary(model, iteration);
    if (settings.checkpointEvery() > 0 && iteration > 0
        && iteration % settings.checkpointEvery() == 0 && Double.isFinite(score)) {
      checkpoints.save(model, "", iteration, smoothedLoss);
    }
  }

  private void handle(Inbound in, Model model, int iteration, int epoch, Emitter out) {
    Header h = out.header(iteration, epoch);
    if (in.isMalformed()) {
      out.emit(ActionResult.of(h, in.malformedId(), "", ActionResult.Outcome.REJECTED,
          in.malformedReason()));
      return;
    }
    Command c = in.command();
    Verdict v = gate.check(c, h.run(), clock.getAsLong());
    if (v == null) {
      try {
        v = execute(c, model, iteration, epoch);
      } catch (Throwable t) {
        v = Verdict.failed(t.getClass().getSimpleName() + ": " + t.getMessage());
      }
    }
    out.emit(ActionResult.of(h, c.id(), c.action(), v.outcome(), v.reason()));
  }

  private Verdict execute(Command c, Model m, int iter, int epoch) throws IOException {
    if (!ModelState.supported(m)) {
      return Verdict.failed("unsupported model type " + m.getClass().getSimpleName());
    }
    if (stopRequested && !"checkpoint".equals(c.action())) {
      return Verdict.failed("the run was stopped; only checkpoint is still applied");
    }
    switch (c.action()) {
      case "lr_kick":
        return lrKick(c, m, iter, epoch);
      case "lr_scale":
        return lrScale(c, m, iter, epoch);
      case "rollback":
        return rollback(c, m, iter);
      case "checkpoint":
        return checkpoint(c, m, iter);
      case "restart":
        return restart(c, m, iter, epoch);
      case "swa_start":
        swa.start(m, (int) c.number("every", settings.swaEvery()), iter);
        return Verdict.applied(
            "weight averaging started at iteration " + iter + ", a snapshot every "
                + (int) c.number("every", settings.swaEvery()) + " iterations");
      case "swa_snapshot":
        swa.snapshot(m, iter, settings.swaEvery());
        return Verdict.applied("snapshot " + swa.count() + " added to the weight average");
      case "swa_apply":
        if (!swa.active()) {
          return Verdict.failed("no weight average: send swa_start (or swa_snapshot) first");
        }
        {
          String what = swa.apply(m);
          snapshots.clear();
          return Verdict.applied(what);
        }
      case "curvature_step":
        if (!(m instanceof MultiLayerNetwork)) {
          return Verdict.failed("curvature_step supports MultiLayerNetwork only");
        }
        try {
          return Verdict.applied(
              CurvatureStep.apply((MultiLayerNetwork) m, curvature == null ? null : curvature.get(),
                  c.number("step", 1.0)));
        } catch (IllegalStateException e) {
          return Verdict.failed(e.getMessage());
        }
      case "reinit_units":
        if (!(m instanceof MultiLayerNetwork)) {
          return Verdict.failed("reinit_units supports MultiLayerNetwork only");
        }
        try {
          return Verdict.applied(UnitReinit.apply((MultiLayerNetwork) m,
              (int) c.number("units", 1), (long) c.number("seed", c.id().hashCode())));
        } catch (IllegalStateException e) {
          return Verdict.failed(e.getMessage());
        }
      case "stop":
        lr.freeze(m, iter, epoch);
        stopRequested = true;
        return Verdict.applied(
            "run frozen from iteration " + (iter + 1) + " (learning rate 0) and stop requested;"
                + " fit itself cannot be ended from a listener");
      default:
        return Verdict.failed("action '" + c.action() + "' is not implemented by this agent");
    }
  }

  private Verdict lrKick(Command c, Model m, int iter, int epoch) {
    double f = c.number("factor", Double.NaN);
    int n = (int) c.number("iterations", 100);
    double combined = lr.persistentScale() * f;
    if (!withinLr(combined)) {
      return outOfLrBounds("persistent scale x factor", combined);
    }
    boolean cosine = "cosine".equals(c.string("shape", "flat"));
    lr.kick(m, f, n, cosine, iter, epoch);
    return Verdict.applied(
        String.format(Locale.ROOT,
            "learning rate x%s for iterations %d..%d%s, then back to the schedule (next: %.6g,"
                + " schedule: %.6g)",
            fmt(f), iter + 1, iter + n, cosine ? ", falling to x1 along half a cosine" : "",
            lr.factor() * lr.scheduled(m, iter + 1, epoch),
            lr.scheduled(m, iter + 1, epoch)));
  }

  private Verdict lrScale(Command c, Model m, int iter, int epoch) {
    double f = c.number("factor", Double.NaN);
    double scale = lr.persistentScale() * f;
    if (!withinLr(scale)) {
      return outOfLrBounds("persistent scale", scale);
    }
    lr.scale(m, f, iter, epoch);
    return Verdict.applied(
        String.format(Locale.ROOT,
            "learning rate scaled by %s from iteration %d on (persistent scale now %s)",
            fmt(f), iter + 1, fmt(lr.persistentScale())));
  }

  private boolean withinLr(double f) {
    double max = settings.lrMaxFactor();
    // A little slack so that x10 then x0.1 is not refused for rounding.
    return f <= max * (1 + 1e-9) && f >= (1 / max) * (1 - 1e-9);
  }

  private Verdict outOfLrBounds(String what, double v) {
    return Verdict.rejected(
        "out of bounds: " + what + " would be " + fmt(v) + ", outside [" + fmt(1 / settings.lrMaxFactor())
            + ", " + fmt(settings.lrMaxFactor()) + "] (actions.lr.max.factor)");
  }

  private Verdict rollback(Command c, Model m, int iter) {
    if (!snapshots.enabled()) {
      return Verdict.failed("rollback snapshots are off (actions.rollback.every=0)");
    }
    double before = c.number("before", -1);
    String kept = snapshots.describe();
    int at = snapshots.restore(m, (long) before);
    if (at < 0) {
      return Verdict.failed(
          "no good snapshot" + (before >= 0 ? " before iteration " + (long) before : "")
              + " (snapshots kept: " + kept + ")");
    }
    swa.stop();
    return Verdict.applied(
        "parameters and updater state restored to the end of iteration " + at
            + "; the steps of iterations " + (at + 1) + ".." + iter
            + " are undone and their batches are not replayed");
  }

  private Verdict checkpoint(Command c, Model m, int iter) throws IOException {
    Checkpoints.Entry e = checkpoints.save(m, c.string("name", ""), iter, smoothedLoss);
    return Verdict.applied(
        String.format(Locale.ROOT, "checkpoint '%s' written to %s (iteration %d, loss %.6g)",
            e.name, e.file, iter, e.loss));
  }

  private Verdict restart(Command c, Model m, int iter, int epoch) throws IOException {
    String from = c.string("from", "best");
    if (FreshInit.FROM.equals(from)) {
      return restartFresh(c, m, iter, epoch);
    }
    Checkpoints.Entry e = checkpoints.find(from);
    if (e == null) {
      return Verdict.failed(
          "no checkpoint '" + from + "' (" + checkpoints.size() + " in this run, in "
              + checkpoints.dir() + ")");
    }
    INDArray params = Checkpoints.readParams(m, e);
    // Zero updater state: the old moments belong to the trajectory being abandoned.
    ModelState.restore(m, params, null);
    double perturb = c.number("perturb", 0);
    long seed = (long) c.number("seed", c.id().hashCode());
    long touched = Perturbation.apply(m, perturb, seed);
    snapshots.clear();
    swa.stop();
    boolean kickEnded = lr.endKick(m, iter, epoch);
    return Verdict.applied(
        "restarted from checkpoint '" + e.name + "'"
            + (e.iteration >= 0 ? " of iteration " + e.iteration : "")
            + (touched > 0 ? ", " + touched + " weights perturbed by " + fmt(perturb)
                + " x rms (seed " + seed + ")" : "")
            + ", updater state reset" + (kickEnded ? ", running lr_kick ended" : ""));
  }

  /** {@code restart} with {@code from: init}: a new draw of the initialisation (a random restart). */
  private Verdict restartFresh(Command c, Model m, int iter, int epoch) {
    long seed = (long) c.number("seed", c.id().hashCode());
    ModelState.restore(m, FreshInit.draw(m, seed), null);
    double perturb = c.number("perturb", 0);
    long touched = Perturbation.apply(m, perturb, seed);
    snapshots.clear();
    swa.stop();
    boolean kickEnded = lr.endKick(m, iter, epoch);
    return Verdict.applied(
        "restarted at iteration " + iter + " from a fresh initialisation (seed " + seed + ")"
            + (touched > 0 ? ", " + touched + " weights perturbed by " + fmt(perturb) + " x rms"
                : "")
            + ", updater state reset" + (kickEnded ? ", running lr_kick ended" : ""));
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }

  /** Stops the command consumer. */
  @Override
  public void close() {
    if (receiver != null) {
      try {
        receiver.close();
      } catch (Exception e) {
        System.err.println("[training-health] closing the command consumer failed: " + e);
      }
    }
  }

  /** Options of an {@link ActionExecutor}. */
  public static final class Builder {
    private final ActionSettings settings;
    private final String job;
    private CommandInbox inbox;
    private AutoCloseable receiver;
    private Supplier<CurvatureEstimate> curvature;
    private LongSupplier clock = System::currentTimeMillis;

    private Builder(ActionSettings settings, String job) {
      this.settings = Objects.requireNonNull(settings, "settings");
      this.job = Objects.requireNonNull(job, "job");
    }

    /** Where commands arrive; a new one of {@code commands.queue.capacity} by default. */
    public Builder inbox(CommandInbox v) {
      this.inbox = v;
      return this;
    }

    /** What fills the inbox (the Kafka consumer); closed with the executor. */
    public Builder receiver(AutoCloseable v) {
      this.receiver = v;
      return this;
    }

    /** The latest curvature estimate, for {@code curvature_step}. */
    public Builder curvature(Supplier<CurvatureEstimate> v) {
      this.curvature = v;
      return this;
    }

    /** Wall clock in epoch ms, for expiry. */
    public Builder clock(LongSupplier v) {
      this.clock = v;
      return this;
    }

    public ActionExecutor build() {
      return new ActionExecutor(this);
    }
  }
}
