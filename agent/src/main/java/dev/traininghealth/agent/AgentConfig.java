package dev.traininghealth.agent;

import dev.traininghealth.agent.curvature.CurvatureProbe;
import dev.traininghealth.agent.action.ActionSettings;
import dev.traininghealth.agent.probe.ProbeSettings;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent's options: immutable, validated when built; {@link #fromMap} is strict and fails on
 * any key it does not know, naming it.
 *
 * <table>
 * <caption>Keys</caption>
 * <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 * <tr><td>job</td><td>string</td><td>main class @ host</td><td>job id: the Kafka key, the
 *     {@code job} label; the same across restarts of the job</td></tr>
 * <tr><td>worker</td><td>string</td><td>(none)</td><td>worker id when several processes train
 *     one job</td></tr>
 * <tr><td>bootstrap.servers</td><td>host:port,...</td><td>127.0.0.1:9092</td><td>Kafka
 *     brokers</td></tr>
 * <tr><td>topic</td><td>string</td><td>th.events</td><td>topic for events</td></tr>
 * <tr><td>queue.capacity</td><td>int &gt; 0</td><td>10000</td><td>events held while the broker
 *     is slow; past that they are dropped and counted</td></tr>
 * <tr><td>heartbeat.interval.ms</td><td>long &ge; 0</td><td>5000</td><td>heartbeat period; 0
 *     turns heartbeats off</td></tr>
 * <tr><td>close.timeout.ms</td><td>long &ge; 0</td><td>5000</td><td>how long closing waits to
 *     send what is queued</td></tr>
 * <tr><td>probes</td><td>cheap | thorough</td><td>cheap</td><td>cost tier: cheap measures
 *     gradient norms and non-finite values every iteration, parameter and update norms every
 *     10th, activations every 100th; thorough measures everything every iteration and
 *     activations every 10th</td></tr>
 * <tr><td>norms.every</td><td>int &ge; 0</td><td>from the tier</td><td>parameter and update
 *     norms every this many iterations (0: only when something turns non-finite)</td></tr>
 * <tr><td>norms.background</td><td>boolean</td><td>true</td><td>on the CPU backend, measure
 *     update and parameter norms on a helper thread while the next forward pass runs; false
 *     keeps them on the training thread</td></tr>
 * <tr><td>activations.every</td><td>int &ge; 0</td><td>from the tier</td><td>dead and saturated
 *     units every this many iterations, with an extra forward pass (0: off)</td></tr>
 * <tr><td>curvature.every</td><td>int &ge; 0</td><td>2000</td><td>estimate the loss Hessian's
 *     extreme eigenvalues every this many iterations and send a {@code curvature} event (0: off);
 *     the default keeps the probe near 2% of training time on the bench MLP</td></tr>
 * <tr><td>curvature.batch</td><td>current | first</td><td>current</td><td>the Hessian of the
 *     iteration's own batch, or of a copy of the first batch (comparable over time)</td></tr>
 * <tr><td>curvature.budget</td><td>double &gt; 0</td><td>0.05</td><td>share of the training
 *     time between two estimates that one estimate may take; a shorter estimate, or a skip
 *     (counted, and reported once in a {@code degraded} heartbeat) when it cannot fit</td></tr>
 * <tr><td>curvature.trace</td><td>boolean</td><td>false</td><td>also estimate the Hessian's
 *     trace (Hutchinson, 8 more gradient evaluations per estimate)</td></tr>
 * <tr><td>trend.window</td><td>int: 0, or a multiple of 10 &ge; 50</td><td>200</td><td>iterations
 *     the loss-trend task tests for a plateau, sending {@code plateau} events (0: off; only
 *     {@link HealthListener#create(AgentConfig)} adds the task)</td></tr>
 * <tr><td>kafka.*</td><td>string</td><td></td><td>passed to the Kafka producer without the
 *     prefix (e.g. {@code kafka.security.protocol=SASL_SSL})</td></tr>
 * <tr><td>commands.*, actions.*</td><td></td><td></td><td>the command consumer and the actions:
 *     see {@link ActionSettings} and the README's "Commands (agent side)"</td></tr>
 * </table>
 */
public final class AgentConfig {
  private final String job;
  private final String worker;
  private final String bootstrapServers;
  private final String topic;
  private final int queueCapacity;
  private final long heartbeatIntervalMs;
  private final long closeTimeoutMs;
  private final Map<String, String> kafka;
  private final ProbeSettings probes;
  private final int curvatureEvery;
  private final String curvatureBatch;
  private final double curvatureBudget;
  private final boolean curvatureTrace;
  private final ActionSettings actions;
  private final int trendWindow;

  private AgentConfig(Builder b) {
    this.job = b.job == null || b.job.isEmpty() ? defaultJobName() : b.job;
    this.worker = b.worker == null ? "" : b.worker;
    this.bootstrapServers = requireText("bootstrap.servers", b.bootstrapServers);
    this.topic = requireText("topic", b.topic);
    if (b.queueCapacity <= 0) {
      throw new IllegalArgumentException("queue.capacity must be > 0, got " + b.queueCapacity);
    }
    if (b.heartbeatIntervalMs < 0 || b.closeTimeoutMs < 0) {
      throw new IllegalArgumentException("heartbeat.interval.ms and close.timeout.ms must be >= 0");
    }
    this.queueCapacity = b.queueCapacity;
    this.heartbeatIntervalMs = b.heartbeatIntervalMs;
    this.closeTimeoutMs = b.closeTimeoutMs;
    this.kafka = Collections.unmodifiableMap(new TreeMap<>(b.kafka));
    if (b.curvatureEvery < 0) {
      throw new IllegalArgumentException("curvature.every must be >= 0, got " + b.curvatureEvery);
    }
    if (!"current".equals(b.curvatureBatch) && !"first".equals(b.curvatureBatch)) {
      throw new IllegalArgumentException(
          "curvature.batch must be current or first, got '" + b.curvatureBatch + "'");
    }
    if (!(b.curvatureBudget > 0) || Double.isInfinite(b.curvatureBudget)) {
      throw new IllegalArgumentException("curvature.budget must be > 0, got " + b.curvatureBudget);
    }
    this.curvatureEvery = b.curvatureEvery;
    this.curvatureBatch = b.curvatureBatch;
    this.curvatureBudget = b.curvatureBudget;
    this.curvatureTrace = b.curvatureTrace;
    if (b.trendWindow != 0 && (b.trendWindow < 50 || b.trendWindow % 10 != 0)) {
      throw new IllegalArgumentException(
          "trend.window must be 0 (off) or a multiple of 10 >= 50, got " + b.trendWindow);
    }
    this.trendWindow = b.trendWindow;
    ProbeSettings tier = ProbeSettings.tier(b.probes);
    this.probes =
        tier.withCadences(
            b.normsEvery >= 0 ? b.normsEvery : tier.normsEvery(),
            b.activationsEvery >= 0 ? b.activationsEvery : tier.activationsEvery())
            .withBackground(b.normsBackground);
    this.actions =
        b.actions != null && b.actionOptions.isEmpty()
            ? b.actions
            : ActionSettings.fromMap(b.actionOptions);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** All defaults. */
  public static AgentConfig defaults() {
    return builder().build();
  }

  /**
   * Reads the keys of the table above; an unknown key or a bad value is an
   * {@link IllegalArgumentException} naming the key.
   */
  public static AgentConfig fromMap(Map<String, String> options) {
    Builder b = builder();
    for (Map.Entry<String, String> e : options.entrySet()) {
      String k = e.getKey().trim();
      String v = e.getValue() == null ? "" : e.getValue().trim();
      switch (k) {
        case "job":
          b.job(v);
          break;
        case "worker":
          b.worker(v);
          break;
        case "bootstrap.servers":
          b.bootstrapServers(v);
          break;
        case "topic":
          b.topic(v);
          break;
        case "queue.capacity":
          b.queueCapacity((int) parseLong(k, v));
          break;
        case "heartbeat.interval.ms":
          b.heartbeatIntervalMs(parseLong(k, v));
          break;
        case "close.timeout.ms":
          b.closeTimeoutMs(parseLong(k, v));
          break;
        case "probes":
          b.probes(v);
          break;
        case "norms.every":
          b.normsEvery(nonNegativeInt(k, v));
          break;
        case "activations.every":
          b.activationsEvery(nonNegativeInt(k, v));
          break;
        case "norms.background":
          b.normsBackground(parseBoolean(k, v));
          break;
        case "curvature.every":
          b.curvatureEvery(nonNegativeInt(k, v));
          break;
        case "curvature.batch":
          b.curvatureBatch(v);
          break;
        case "curvature.budget":
          b.curvatureBudget(parseDouble(k, v));
          break;
        case "curvature.trace":
          b.curvatureTrace(parseBoolean(k, v));
          break;
        case "trend.window":
          b.trendWindow(nonNegativeInt(k, v));
          break;
        default:
          if (k.startsWith("kafka.") && k.length() > "kafka.".length()) {
            b.kafka.put(k.substring("kafka.".length()), v);
          } else if (ActionSettings.owns(k)) {
            b.actionOptions.put(k, v);
          } else {
            throw new IllegalArgumentException(
                "unknown agent option '" + k + "' (known: job, worker, bootstrap.servers, topic,"
                    + " queue.capacity, heartbeat.interval.ms, close.timeout.ms, probes, norms.every,"
                    + " norms.background, activations.every, curvature.every, curvature.batch, curvature.budget,"
                    + " curvature.trace, trend.window, kafka.*, commands.*, actions.*)");
          }
      }
    }
    return b.build();
  }

  private static long parseLong(String key, String v) {
    try {
      return Long.parseLong(v);
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

  private static boolean parseBoolean(String key, String v) {
    if ("true".equalsIgnoreCase(v) || "false".equalsIgnoreCase(v)) {
      return Boolean.parseBoolean(v.toLowerCase(java.util.Locale.ROOT));
    }
    throw new IllegalArgumentException(
        "option '" + key + "' must be true or false, got '" + v + "'");
  }

  private static int nonNegativeInt(String key, String v) {
    long n = parseLong(key, v);
    if (n < 0 || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("option '" + key + "' must be >= 0, got " + v);
    }
    return (int) n;
  }

  private static String requireText(String key, String v) {
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("option '" + key + "' must not be empty");
    }
    return v;
  }

  /** The main class's simple name and the host: what a person recognises, stable across runs. */
  static String defaultJobName() {
    String command = System.getProperty("sun.java.command", "");
    String main = command.isEmpty() ? "java" : command.split(" ")[0];
    if (main.endsWith(".jar")) {
      main = main.substring(Math.max(main.lastIndexOf('/'), main.lastIndexOf('\\')) + 1);
      main = main.substring(0, main.length() - 4);
    } else {
      main = main.substring(main.lastIndexOf('.') + 1);
    }
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "localhost";
    }
    return main + "@" + host;
  }

  static long pid() {
    return ProcessHandle.current().pid();
  }

  static String jvmName() {
    return ManagementFactory.getRuntimeMXBean().getName();
  }

  public String job() {
    return job;
  }

  /** Worker id, empty when one process trains the job. */
  public String worker() {
    return worker;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public String topic() {
    return topic;
  }

  public int queueCapacity() {
    return queueCapacity;
  }

  public long heartbeatIntervalMs() {
    return heartbeatIntervalMs;
  }

  public long closeTimeoutMs() {
    return closeTimeoutMs;
  }

  /** Extra producer properties, without the {@code kafka.} prefix. */
  public Map<String, String> kafka() {
    return kafka;
  }

  /** Which probes run how often. */
  public ProbeSettings probes() {
    return probes;
  }

  /** Iterations between curvature estimates; 0 when the probe is off. */
  public int curvatureEvery() {
    return curvatureEvery;
  }

  /** {@code current} or {@code first}: which batch the curvature probe uses. */
  public String curvatureBatch() {
    return curvatureBatch;
  }

  /** Share of training time one curvature estimate may take, amortised over its cadence. */
  public double curvatureBudget() {
    return curvatureBudget;
  }

  /** Whether curvature estimates include the trace. */
  public boolean curvatureTrace() {
    return curvatureTrace;
  }

  /** Commands and actions: off unless {@code commands.enabled=true} and a key is set. */
  public ActionSettings actions() {
    return actions;
  }

  /** Iterations of the loss-trend (plateau) test; 0 when it is off. */
  public int trendWindow() {
    return trendWindow;
  }

  /** The effective configuration as reported in {@code job_started}; secrets are masked. */
  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("job", job);
    m.put("worker", worker);
    m.put("bootstrap.servers", bootstrapServers);
    m.put("topic", topic);
    m.put("queue.capacity", String.valueOf(queueCapacity));
    m.put("heartbeat.interval.ms", String.valueOf(heartbeatIntervalMs));
    m.put("close.timeout.ms", String.valueOf(closeTimeoutMs));
    m.put("probes", probes.tierName());
    m.put("norms.every", String.valueOf(probes.normsEvery()));
    m.put("norms.background", String.valueOf(probes.background()));
    m.put("activations.every", String.valueOf(probes.activationsEvery()));
    m.put("curvature.every", String.valueOf(curvatureEvery));
    m.put("curvature.batch", curvatureBatch);
    m.put("curvature.budget", String.valueOf(curvatureBudget));
    m.put("curvature.trace", String.valueOf(curvatureTrace));
    m.put("trend.window", String.valueOf(trendWindow));
    for (Map.Entry<String, String> e : kafka.entrySet()) {
      String k = e.getKey().toLowerCase(java.util.Locale.ROOT);
      boolean secret = k.contains("password") || k.contains("jaas") || k.contains("secret");
      m.put("kafka." + e.getKey(), secret ? "***" : e.getValue());
    }
    m.putAll(actions.describe());
    return m;
  }

  /** Collects options; unset ones keep their defaults. */
  public static final class Builder {
    private String job;
    private String worker;
    private String bootstrapServers = "127.0.0.1:9092";
    private String topic = "th.events";
    private int queueCapacity = 10_000;
    private long heartbeatIntervalMs = 5_000;
    private long closeTimeoutMs = 5_000;
    private final Map<String, String> kafka = new TreeMap<>();
    private String probes = "cheap";
    private int normsEvery = -1;
    private int activationsEvery = -1;
    private boolean normsBackground = true;
    private int curvatureEvery = CurvatureProbe.DEFAULT_EVERY;
    private String curvatureBatch = "current";
    private double curvatureBudget = 0.05;
    private boolean curvatureTrace;
    private final Map<String, String> actionOptions = new LinkedHashMap<>();
    private ActionSettings actions;
    private int trendWindow = 200;

    private Builder() {}

    /** Iterations of the loss-trend (plateau) test, 0 for off. */
    public Builder trendWindow(int v) {
      this.trendWindow = v;
      return this;
    }

    /** Iterations between curvature estimates; 0 turns the probe off. */
    public Builder curvatureEvery(int v) {
      this.curvatureEvery = v;
      return this;
    }

    /** {@code current} or {@code first}. */
    public Builder curvatureBatch(String v) {
      this.curvatureBatch = v == null ? null : v.trim().toLowerCase(java.util.Locale.ROOT);
      return this;
    }

    /** Share of training time one curvature estimate may take (default 0.05). */
    public Builder curvatureBudget(double v) {
      this.curvatureBudget = v;
      return this;
    }

    /** Whether to estimate the Hessian's trace too. */
    public Builder curvatureTrace(boolean v) {
      this.curvatureTrace = v;
      return this;
    }

    /** A {@code commands.*} or {@code actions.*} option, checked when built. */
    public Builder action(String key, String value) {
      if (!ActionSettings.owns(key)) {
        throw new IllegalArgumentException("not a commands.* or actions.* option: " + key);
      }
      this.actionOptions.put(key, value);
      return this;
    }

    /** All command and action options at once; ignored once any {@link #action} option is set. */
    public Builder actions(ActionSettings v) {
      this.actions = v;
      return this;
    }

    /** Cost tier, {@code cheap} or {@code thorough}. */
    public Builder probes(String v) {
      this.probes = v;
      return this;
    }

    /** Parameter and update norms every this many iterations; overrides the tier. */
    public Builder normsEvery(int v) {
      this.normsEvery = v;
      return this;
    }

    /**
     * Whether update and parameter norms are measured on a helper thread during the next forward
     * pass (CPU backend); default true.
     */
    public Builder normsBackground(boolean v) {
      this.normsBackground = v;
      return this;
    }

    /** Activation statistics every this many iterations, 0 for never; overrides the tier. */
    public Builder activationsEvery(int v) {
      this.activationsEvery = v;
      return this;
    }

    public Builder job(String v) {
      this.job = v;
      return this;
    }

    public Builder worker(String v) {
      this.worker = v;
      return this;
    }

    public Builder bootstrapServers(String v) {
      this.bootstrapServers = v;
      return this;
    }

    public Builder topic(String v) {
      this.topic = v;
      return this;
    }

    public Builder queueCapacity(int v) {
      this.queueCapacity = v;
      return this;
    }

    public Builder heartbeatIntervalMs(long v) {
      this.heartbeatIntervalMs = v;
      return this;
    }

    public Builder closeTimeoutMs(long v) {
      this.closeTimeoutMs = v;
      return this;
    }

    /** A producer property, without the {@code kafka.} prefix. */
    public Builder kafka(String key, String value) {
      this.kafka.put(key, value);
      return this;
    }

    public AgentConfig build() {
      return new AgentConfig(this);
    }
  }
}
