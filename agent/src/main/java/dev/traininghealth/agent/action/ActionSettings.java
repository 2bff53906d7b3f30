package dev.traininghealth.agent.action;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The agent's {@code commands.*} and {@code actions.*} options: immutable, validated when built;
 * {@link #fromMap} fails on any key of these prefixes it does not know, naming it. The README's
 * "Commands (agent side)" section documents every key.
 */
public final class ActionSettings {
  /**
   * {@code actions.rollback.every=auto}: a snapshot as often as its copy costs at most 1% of the
   * step time (every iteration on small nets), see {@code RollbackSnapshots}.
   */
  public static final int ROLLBACK_AUTO = -1;

  /** Environment variable read for the shared key when neither key option is given. */
  public static final String KEY_ENV = "TRAINING_HEALTH_COMMAND_KEY";

  /**
   * Allowed unless {@code actions.allow} says otherwise. {@code stop} is left out: it is the one
   * action a false alarm turns into a lost run, so a person must opt in.
   */
  public static final Set<String> DEFAULT_ALLOW =
      Collections.unmodifiableSet(
          new LinkedHashSet<>(
              Arrays.asList(
                  "lr_kick", "lr_scale", "rollback", "checkpoint", "restart", "swa_start",
                  "swa_snapshot", "swa_apply", "curvature_step", "reinit_units")));

  static final int MIN_KEY_BYTES = 16;

  private final boolean enabled;
  private final String topic;
  private final String key;
  private final String keySource;
  private final int queueCapacity;
  private final int seenCapacity;
  private final Set<String> allow;
  private final double lrMaxFactor;
  private final int lrKickMaxIterations;
  private final double restartMaxPerturb;
  private final double curvatureMaxStep;
  private final int reinitMaxUnits;
  private final String checkpointDir;
  private final int checkpointKeep;
  private final int checkpointEvery;
  private final int rollbackEvery;
  private final int rollbackKeep;
  private final int swaEvery;
  private final int swaBatchNormBatches;

  private ActionSettings(Builder b) {
    this.enabled = b.enabled;
    this.topic = b.topic;
    if (topic == null || topic.isEmpty()) {
      throw new IllegalArgumentException("option 'commands.topic' must not be empty");
    }
    this.key = b.key == null ? "" : b.key;
    this.keySource = b.keySource;
    if (enabled && key.getBytes(StandardCharsets.UTF_8).length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException(
          "commands.enabled=true needs a shared key of at least " + MIN_KEY_BYTES
              + " bytes (commands.key, commands.key.file or $" + KEY_ENV + ")"
              + (key.isEmpty() ? "" : ", got " + key.getBytes(StandardCharsets.UTF_8).length));
    }
    for (String a : b.allow) {
      if (!dev.traininghealth.rules.command.Command.ACTIONS.contains(a)) {
        throw new IllegalArgumentException(
            "option 'actions.allow' names unknown action '" + a + "' (known: "
                + new TreeSet<>(dev.traininghealth.rules.command.Command.ACTIONS) + ")");
      }
    }
    this.allow = Collections.unmodifiableSet(new LinkedHashSet<>(b.allow));
    this.queueCapacity = atLeast("commands.queue.capacity", b.queueCapacity, 1);
    this.seenCapacity = atLeast("commands.seen.capacity", b.seenCapacity, 1);
    if (!(b.lrMaxFactor >= 1) || Double.isInfinite(b.lrMaxFactor)) {
      throw new IllegalArgumentException("option 'actions.lr.max.factor' must be >= 1");
    }
    this.lrMaxFactor = b.lrMaxFactor;
    this.lrKickMaxIterations = atLeast("actions.lr_kick.max.iterations", b.lrKickMaxIterations, 1);
    if (!(b.restartMaxPerturb >= 0) || Double.isInfinite(b.restartMaxPerturb)) {
      throw new IllegalArgumentException("option 'actions.restart.max.perturb' must be >= 0");
    }
    this.restartMaxPerturb = b.restartMaxPerturb;
    if (!(b.curvatureMaxStep > 0) || Double.isInfinite(b.curvatureMaxStep)) {
      throw new IllegalArgumentException("option 'actions.curvature_step.max.step' must be > 0");
    }
    this.curvatureMaxStep = b.curvatureMaxStep;
    this.reinitMaxUnits = atLeast("actions.reinit_units.max.units", b.reinitMaxUnits, 1);
    this.checkpointDir = b.checkpointDir == null ? "" : b.checkpointDir;
    this.checkpointKeep = atLeast("actions.checkpoint.keep", b.checkpointKeep, 1);
    this.checkpointEvery = atLeast("actions.checkpoint.every", b.checkpointEvery, 0);
    if (b.rollbackEvery != ROLLBACK_AUTO) {
      atLeast("actions.rollback.every", b.rollbackEvery, 0);
    }
    this.rollbackEvery = b.rollbackEvery;
    this.rollbackKeep = atLeast("actions.rollback.keep", b.rollbackKeep, 1);
    this.swaEvery = atLeast("actions.swa.every", b.swaEvery, 1);
    this.swaBatchNormBatches = atLeast("actions.swa.bn.batches", b.swaBatchNormBatches, 0);
  }

  private static int atLeast(String key, int v, int min) {
    if (v < min) {
      throw new IllegalArgumentException("option '" + key + "' must be >= " + min + ", got " + v);
    }
    return v;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Commands off, every other option at its default. */
  public static ActionSettings defaults() {
    return builder().build();
  }

  /** Whether {@code key} is one of the prefixes this class owns. */
  public static boolean owns(String key) {
    return key.startsWith("commands.") || key.startsWith("actions.");
  }

  /** Reads the {@code commands.*} and {@code actions.*} keys; strict. */
  public static ActionSettings fromMap(Map<String, String> options) {
    return fromMap(options, System.getenv());
  }

  static ActionSettings fromMap(Map<String, String> options, Map<String, String> env) {
    Builder b = builder();
    String keyFile = null;
    for (Map.Entry<String, String> e : options.entrySet()) {
      String k = e.getKey().trim();
      String v = e.getValue() == null ? "" : e.getValue().trim();
      switch (k) {
        case "commands.enabled":
          b.enabled(parseBoolean(k, v));
          break;
        case "commands.topic":
          b.topic(v);
          break;
        case "commands.key":
          b.key(v);
          break;
        case "commands.key.file":
          keyFile = v;
          break;
        case "commands.queue.capacity":
          b.queueCapacity(parseInt(k, v));
          break;
        case "commands.seen.capacity":
          b.seenCapacity(parseInt(k, v));
          break;
        case "actions.allow":
          b.allow(parseList(v));
          break;
        case "actions.lr.max.factor":
          b.lrMaxFactor(parseDouble(k, v));
          break;
        case "actions.lr_kick.max.iterations":
          b.lrKickMaxIterations(parseInt(k, v));
          break;
        case "actions.restart.max.perturb":
          b.restartMaxPerturb(parseDouble(k, v));
          break;
        case "actions.curvature_step.max.step":
          b.curvatureMaxStep(parseDouble(k, v));
          break;
        case "actions.reinit_units.max.units":
          b.reinitMaxUnits(parseInt(k, v));
          break;
        case "actions.checkpoint.dir":
          b.checkpointDir(v);
          break;
        case "actions.checkpoint.keep":
          b.checkpointKeep(parseInt(k, v));
          break;
        case "actions.checkpoint.every":
          b.checkpointEvery(parseInt(k, v));
          break;
        case "actions.rollback.every":
          b.rollbackEvery("auto".equals(v.trim()) ? ROLLBACK_AUTO : parseInt(k, v));
          break;
        case "actions.rollback.keep":
          b.rollbackKeep(parseInt(k, v));
          break;
        case "actions.swa.every":
          b.swaEvery(parseInt(k, v));
          break;
        case "actions.swa.bn.batches":
          b.swaBatchNormBatches(parseInt(k, v));
          break;
        default:
          throw new IllegalArgumentException(
              "unknown agent option '" + k + "' (known commands.* and actions.* options:"
                  + " commands.enabled, commands.topic, commands.key, commands.key.file,"
                  + " commands.queue.capacity, commands.seen.capacity, actions.allow,"
                  + " actions.lr.max.factor, actions.lr_kick.max.iterations,"
                  + " actions.restart.max.perturb, actions.curvature_step.max.step,"
                  + " actions.reinit_units.max.units,"
                  + " actions.checkpoint.dir, actions.checkpoint.keep, actions.checkpoint.every,"
                  + " actions.rollback.every, actions.rollback.keep, actions.swa.every,"
                  + " actions.swa.bn.batches)");
      }
    }
    if (b.key == null || b.key.isEmpty()) {
      if (keyFile != null && !keyFile.isEmpty()) {
        b.key = readKeyFile(keyFile);
        b.keySource = "commands.key.file";
      } else {
        String fromEnv = env.get(KEY_ENV);
        if (fromEnv != null && !fromEnv.trim().isEmpty()) {
          b.key = fromEnv.trim();
          b.keySource = "$" + KEY_ENV;
        }
      }
    }
    return b.build();
  }

  private static String readKeyFile(String file) {
    try {
      return new String(Files.readAllBytes(Paths.get(file)), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "option 'commands.key.file': cannot read '" + file + "': " + e.getMessage(), e);
    }
  }

  private static boolean parseBoolean(String key, String v) {
    if ("true".equalsIgnoreCase(v)) {
      return true;
    }
    if ("false".equalsIgnoreCase(v)) {
      return false;
    }
    throw new IllegalArgumentException("option '" + key + "' must be true or false, got '" + v + "'");
  }

  private static int parseInt(String key, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option '" + key + "' must be an integer, got '" + v + "'");
    }
  }

  private static double parseDouble(String key, String v) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option '" + key + "' must be a number, got '" + v + "'");
    }
  }

  private static Set<String> parseList(String v) {
    Set<String> out = new LinkedHashSet<>();
    for (String s : v.split(",")) {
      if (!s.trim().isEmpty()) {
        out.add(s.trim());
      }
    }
    return out;
  }

  /** Whether the agent listens for commands at all. */
  public boolean enabled() {
    return enabled;
  }

  public String topic() {
    return topic;
  }

  /** The shared HMAC key; empty when none is configured. */
  String key() {
    return key;
  }

  public int queueCapacity() {
    return queueCapacity;
  }

  /** How many command ids (applied or rejected, with a valid signature) are remembered. */
  public int seenCapacity() {
    return seenCapacity;
  }

  public Set<String> allow() {
    return allow;
  }

  /** Largest learning-rate factor; the smallest is its inverse. */
  public double lrMaxFactor() {
    return lrMaxFactor;
  }

  public int lrKickMaxIterations() {
    return lrKickMaxIterations;
  }

  public double restartMaxPerturb() {
    return restartMaxPerturb;
  }

  public double curvatureMaxStep() {
    return curvatureMaxStep;
  }

  /** The most units per layer one {@code reinit_units} may replace. */
  public int reinitMaxUnits() {
    return reinitMaxUnits;
  }

  /** Where checkpoints go; empty for the default under {@code java.io.tmpdir}. */
  public String checkpointDir() {
    return checkpointDir;
  }

  public int checkpointKeep() {
    return checkpointKeep;
  }

  public int checkpointEvery() {
    return checkpointEvery;
  }

  /**
   * Iterations between rollback snapshots: {@link #ROLLBACK_AUTO} (the default) for a cadence
   * the snapshots set themselves from their measured cost, 0 for none.
   */
  public int rollbackEvery() {
    return rollbackEvery;
  }

  public int rollbackKeep() {
    return rollbackKeep;
  }

  public int swaEvery() {
    return swaEvery;
  }

  public int swaBatchNormBatches() {
    return swaBatchNormBatches;
  }

  /** The checkpoint directory for {@code job}: the configured one or a default under tmp. */
  Path checkpointPath(String job) {
    if (!checkpointDir.isEmpty()) {
      return Paths.get(checkpointDir);
    }
    String safe = job.replaceAll("[^A-Za-z0-9._-]", "_");
    return Paths.get(System.getProperty("java.io.tmpdir"), "training-health", safe);
  }

  /** The effective options for {@code job_started}; the key is never shown, only its source. */
  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("commands.enabled", String.valueOf(enabled));
    m.put("commands.topic", topic);
    m.put("commands.key", key.isEmpty() ? "(none)" : "*** (from " + keySource + ")");
    m.put("commands.queue.capacity", String.valueOf(queueCapacity));
    m.put("commands.seen.capacity", String.valueOf(seenCapacity));
    m.put("actions.allow", String.join(",", allow));
    m.put("actions.lr.max.factor", String.valueOf(lrMaxFactor));
    m.put("actions.lr_kick.max.iterations", String.valueOf(lrKickMaxIterations));
    m.put("actions.restart.max.perturb", String.valueOf(restartMaxPerturb));
    m.put("actions.curvature_step.max.step", String.valueOf(curvatureMaxStep));
    m.put("actions.reinit_units.max.units", String.valueOf(reinitMaxUnits));
    m.put("actions.checkpoint.dir", checkpointDir);
    m.put("actions.checkpoint.keep", String.valueOf(checkpointKeep));
    m.put("actions.checkpoint.every", String.valueOf(checkpointEvery));
    m.put("actions.rollback.every",
        rollbackEvery == ROLLBACK_AUTO ? "auto" : String.valueOf(rollbackEvery));
    m.put("actions.rollback.keep", String.valueOf(rollbackKeep));
    m.put("actions.swa.every", String.valueOf(swaEvery));
    m.put("actions.swa.bn.batches", String.valueOf(swaBatchNormBatches));
    return m;
  }

  /** Collects options; unset ones keep their defaults. */
  public static final class Builder {
    private boolean enabled;
    private String topic = "th.commands";
    private String key;
    private String keySource = "commands.key";
    private int queueCapacity = 64;
    private int seenCapacity = 10_000;
    private Set<String> allow = DEFAULT_ALLOW;
    private double lrMaxFactor = 100;
    private int lrKickMaxIterations = 10_000;
    private double restartMaxPerturb = 0.1;
    private double curvatureMaxStep = 10;
    private int reinitMaxUnits = 8;
    private String checkpointDir;
    private int checkpointKeep = 3;
    private int checkpointEvery;
    private int rollbackEvery = ROLLBACK_AUTO;
    private int rollbackKeep = 2;
    private int swaEvery = 10;
    private int swaBatchNormBatches = 8;

    private Builder() {}

    public Builder enabled(boolean v) {
      this.enabled = v;
      return this;
    }

    public Builder topic(String v) {
      this.topic = v;
      return this;
    }

    /** The shared HMAC key (UTF-8, at least 16 bytes). */
    public Builder key(String v) {
      this.key = v;
      this.keySource = "commands.key";
      return this;
    }

    public Builder queueCapacity(int v) {
      this.queueCapacity = v;
      return this;
    }

    public Builder seenCapacity(int v) {
      this.seenCapacity = v;
      return this;
    }

    public Builder allow(Set<String> v) {
      this.allow = new LinkedHashSet<>(v);
      return this;
    }

    public Builder lrMaxFactor(double v) {
      this.lrMaxFactor = v;
      return this;
    }

    public Builder lrKickMaxIterations(int v) {
      this.lrKickMaxIterations = v;
      return this;
    }

    public Builder restartMaxPerturb(double v) {
      this.restartMaxPerturb = v;
      return this;
    }

    public Builder curvatureMaxStep(double v) {
      this.curvatureMaxStep = v;
      return this;
    }

    public Builder reinitMaxUnits(int v) {
      this.reinitMaxUnits = v;
      return this;
    }

    public Builder checkpointDir(String v) {
      this.checkpointDir = v;
      return this;
    }

    public Builder checkpointKeep(int v) {
      this.checkpointKeep = v;
      return this;
    }

    public Builder checkpointEvery(int v) {
      this.checkpointEvery = v;
      return this;
    }

    public Builder rollbackEvery(int v) {
      this.rollbackEvery = v;
      return this;
    }

    public Builder rollbackKeep(int v) {
      this.rollbackKeep = v;
      return this;
    }

    public Builder swaEvery(int v) {
      this.swaEvery = v;
      return this;
    }

    public Builder swaBatchNormBatches(int v) {
      this.swaBatchNormBatches = v;
      return this;
    }

    public ActionSettings build() {
      return new ActionSettings(this);
    }
  }
}
