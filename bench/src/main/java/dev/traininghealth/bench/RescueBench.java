package dev.traininghealth.bench;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.daemon.DaemonConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The rescue benchmark (issue 7): zoo runs that are stuck or blow up, several seeds each, trained
 * with no help, with fixed-schedule baselines at the same iteration budget (cyclical learning
 * rate, SGDR, random restarts), and with the agent attached to one daemon that runs the opt-in
 * rescue rules ({@code rescue-rules.yaml}) next to the defaults and sends signed commands back.
 * Prints, per scenario, the share of seeds that end at or below the target loss in each arm and
 * the daemon arm's CPU time relative to the run with no agent; the controls (a healthy MLP and
 * an edge-of-stability run) must get no action at all.
 *
 * <p>Pacing: the zoo's nets take a few milliseconds a step, while a command needs tens of
 * milliseconds to travel agent → Kafka → daemon → Kafka → agent; a real model's step takes longer
 * than that. So the daemon arm's steps are stretched to at least {@code --step-ms} (default 10)
 * of wall time by sleeping, which the CPU time it reports leaves out; the other arms need no
 * daemon and run unpaced.
 *
 * <p>Arguments: {@code [--seeds N]} (seeds 1..N, default 5), {@code [--first S]} (first seed,
 * default 1), {@code [--only a,b]} (scenarios), {@code [--arms none,daemon,...]} ({@code none},
 * {@code cyclic}, {@code sgdr}, {@code restarts}, {@code daemon}), {@code [--step-ms N]},
 * {@code [--verify K]} (the daemon's {@code actions.verify.iterations}, default 200),
 * {@code [--daemon-jvm own|shared]}: the daemon and its broker in a JVM of their own (default, as
 * in production: only the agent shares the training's heap) or in the bench's.
 */
public final class RescueBench {
  private static final String KEY = "rescue-bench-shared-key-0123456789";
  private static final String TOKEN = "rescue-bench-token";
  private static final String RULES = "dev/traininghealth/rules/rescue-rules.yaml";
  private static final String DAEMON_HEAP = "1g";

  private RescueBench() {}

  public static void main(String[] args) throws Exception {
    int seeds = 5;
    long first = 1;
    int stepMs = 10;
    int verify = 200;
    int costRounds = 5;
    boolean ownJvm = true;
    List<String> only = List.of();
    List<RescueArm> arms = new ArrayList<>(Arrays.asList(RescueArm.values()));
    arms.remove(RescueArm.UNPACED);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seeds" -> seeds = Integer.parseInt(args[++i]);
        case "--first" -> first = Long.parseLong(args[++i]);
        case "--step-ms" -> stepMs = Integer.parseInt(args[++i]);
        case "--verify" -> verify = Integer.parseInt(args[++i]);
        case "--cost-rounds" -> costRounds = Integer.parseInt(args[++i]);
        case "--only" -> only = List.of(args[++i].split(","));
        case "--daemon-jvm" -> ownJvm = switch (args[++i]) {
          case "own" -> true;
          case "shared" -> false;
          default -> throw new IllegalArgumentException("--daemon-jvm: own or shared");
        };
        case "--arms" -> {
          arms = new ArrayList<>();
          for (String a : args[++i].split(",")) {
            arms.add(RescueArm.valueOf(a.toUpperCase(Locale.ROOT)));
          }
        }
        default -> {
          System.err.println("usage: RescueBench [--seeds N] [--first S] [--only a,b]"
              + " [--arms none,cyclic,sgdr,restarts,daemon] [--step-ms N] [--verify K]"
              + " [--cost-rounds R] [--daemon-jvm own|shared]");
          System.exit(2);
        }
      }
    }
    List<RescueScenario> scenarios = new ArrayList<>();
    for (RescueScenario s : RescueScenario.all()) {
      if (only.isEmpty() || only.contains(s.name())) {
        scenarios.add(s);
      }
    }
    Path dir = Files.createTempDirectory("rescue-bench");
    Map<String, String> config = daemonSettings(dir, verify);
    System.out.printf(Locale.ROOT, "rescue bench: seeds %d..%d, daemon and no-help arms paced to"
        + " >= %d ms per step, actions.verify.iterations %d, rules: defaults + %s; daemon and"
        + " broker in %s; OMP_NUM_THREADS=%s; load average %s%n", first, first + seeds - 1, stepMs,
        verify, RULES, ownJvm ? "a JVM of their own (-Xmx" + DAEMON_HEAP + ")" : "the bench's JVM",
        System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"), loadAverage());
    List<Row> rows = new ArrayList<>();
    if (!scenarios.isEmpty()) {
      // JIT warm-up, not counted: else the first scenario's first arm alone pays for compiling
      // DL4J's training path, which flattered the daemon arm's CPU ratio there.
      RescueRun.run(scenarios.get(0), first, RescueArm.UNPACED, null, 0);
    }
    try (DaemonProcess daemon = ownJvm ? DaemonProcess.child(config, dir, DAEMON_HEAP)
        : DaemonProcess.inThisJvm(DaemonConfig.load(config))) {
      HttpClient http = HttpClient.newHttpClient();
      if (!scenarios.isEmpty() && arms.contains(RescueArm.DAEMON)) {
        // The command path too (agent, broker, daemon, back), not counted: a 20-iteration run
        // (the NaN batch, 0.2 s) that came first in the JVM ended before its rollback arrived.
        RescueRun.run(scenarios.get(0), first, RescueArm.DAEMON,
            agent("rescue-warm-up-" + UUID.randomUUID().toString().substring(0, 8), daemon, dir),
            stepMs);
      }
      for (RescueScenario sc : scenarios) {
        Row row = new Row(sc);
        // Seed by seed, each seed's arms one after the other: the CPU ratio compares runs made
        // close together. Arm by arm (all seeds without help, then all with the daemon) the
        // JIT's and the machine's drift fell on one arm: the saddle's ratio read 0.89x to 1.29x.
        for (long seed = first; seed < first + seeds; seed++) {
          for (RescueArm arm : arms) {
            if (!sc.stuck() && arm != RescueArm.NONE && arm != RescueArm.DAEMON
                && arm != RescueArm.UNPACED) {
              continue; // the controls only show that the rescue leaves a good run alone
            }
            String job = "rescue-" + sc.name() + "-" + seed + "-"
                + UUID.randomUUID().toString().substring(0, 8);
            AgentConfig agent = arm == RescueArm.DAEMON ? agent(job, daemon, dir) : null;
            if (arm.paced() || arm == RescueArm.UNPACED) {
              RescueRun.settleHeap(); // the arms whose CPU is compared: see settleHeap
            }
            RescueRun.Result r = RescueRun.run(sc, seed, arm, agent, stepMs);
            if (arm == RescueArm.DAEMON) {
              r = r.withActions(actions(http, daemon, job));
            }
            row.add(arm, seed, r);
            System.out.printf(Locale.ROOT, "  %-18s seed %-3d %-16s loss %-10.4g %s cpu %6.0f ms"
                + " wall %6.0f ms %s %s%n", sc.name(), seed, arm.label, r.finalLoss(),
                r.reached(sc.target()) ? "reached" : "missed ", r.cpuNanos() / 1e6,
                r.wallNanos() / 1e6, r.where(), r.actions().isEmpty() ? "" : r.actions());
          }
        }
        rows.add(row);
      }
    }
    print(rows, arms);
    if (costRounds > 0) {
      printAgentCost(scenarios, costRounds, dir);
    }
    System.out.println("load average at the end (1, 5, 15 min): " + loadAverage());
    System.exit(0); // the broker's and Vert.x's non-daemon threads
  }

  /**
   * One daemon for all runs, as {@link DaemonConfig} keys: an embedded broker under {@code dir},
   * the default rules plus {@value #RULES} (copied to {@code dir/rules}), commands signed with
   * the agents' key.
   */
  static Map<String, String> daemonSettings(Path dir, int verify) throws java.io.IOException {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    try (InputStream in = RescueBench.class.getClassLoader().getResourceAsStream(RULES)) {
      Files.copy(in, rules.resolve("rescue-rules.yaml"));
    }
    Map<String, String> m = new LinkedHashMap<>();
    m.put(DaemonConfig.KAFKA_DIR, dir.resolve("kafka").toString());
    m.put(DaemonConfig.HTTP_HOST, "127.0.0.1");
    m.put(DaemonConfig.HTTP_PORT, "0");
    m.put(DaemonConfig.TOPIC_PARTITIONS, "2");
    m.put(DaemonConfig.API_TOKEN, TOKEN);
    m.put(DaemonConfig.COMMANDS_KEY, KEY);
    // The rules' own cooldowns, in iterations, pace the actions; the wall-clock cooldown is for
    // real runs whose iterations take seconds, not these compressed ones.
    m.put(DaemonConfig.ACTIONS_COOLDOWN_MS, "0");
    m.put(DaemonConfig.ACTIONS_BUDGET, "100");
    m.put(DaemonConfig.ACTIONS_VERIFY_ITERATIONS, Integer.toString(verify));
    m.put(DaemonConfig.RULES_DIRS, rules.toString());
    return m;
  }

  /** The machine's load, to read the CPU figures by; empty where /proc is not there. */
  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2] + " on " + Runtime.getRuntime().availableProcessors()
          + " cores";
    } catch (Exception e) {
      return "";
    }
  }

  static AgentConfig agent(String job, DaemonProcess daemon, Path dir) {
    return agentSettings(AgentConfig.builder().job(job)
        .bootstrapServers(daemon.bootstrapServers()), dir).build();
  }

  /** Everything of the daemon arm's agent but where it sends. */
  static AgentConfig.Builder agentSettings(AgentConfig.Builder b, Path dir) {
    return b
        .heartbeatIntervalMs(0)
        .curvatureEvery(50) // the saddle rule needs curvature samples
        .activationsEvery(20) // the dead-units rule: a dead ReLU seen within 20 iterations
        .action("commands.enabled", "true")
        .action("commands.key", KEY)
        // No rescue rung restarts from a checkpoint; the default nonfinite rule's second rung
        // (restart from best) then fails, saying so, if the rollback did not help.
        .action("actions.checkpoint.dir", dir.resolve("checkpoints").toString());
  }

  /** The daemon's action records for {@code job}, once it has caught up with the run's end. */
  static List<RescueRun.ActionLog> actions(HttpClient http, DaemonProcess daemon, String job)
      throws Exception {
    Thread.sleep(500);
    HttpRequest req = HttpRequest.newBuilder(
        URI.create(daemon.apiUrl() + "/" + job + "/actions")).GET().build();
    HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
    List<RescueRun.ActionLog> out = new ArrayList<>();
    if (res.statusCode() != 200) {
      return out;
    }
    JsonArray list = new JsonObject(res.body()).getJsonArray("actions", new JsonArray());
    for (int i = 0; i < list.size(); i++) {
      JsonObject a = list.getJsonObject(i);
      out.add(new RescueRun.ActionLog(a.getString("rule", ""), a.getString("action"),
          a.getString("status"), a.getString("outcome", ""), a.getString("verdict", ""),
          a.getLong("sent_iter", -1L)));
    }
    return out;
  }

  /** The agent alone on the training thread, A/B in this thread: see {@link RescueCost}. */
  private static void printAgentCost(List<RescueScenario> scenarios, int rounds, Path dir) {
    System.out.printf(Locale.ROOT, "%nagent's own CPU on the training thread, no daemon (events"
        + " discarded, no commands; with / without the agent, median of %d alternating unpaced"
        + " runs of seed 1):%n", rounds);
    double worst = 0;
    for (RescueScenario sc : scenarios) {
      if (!sc.stuck()) {
        continue;
      }
      RescueCost.Ratio r = RescueCost.measure(sc, rounds, dir);
      worst = Math.max(worst, r.ratio());
      System.out.printf(Locale.ROOT, "  %-18s %.2fx (%+.3f ms per iteration)%n", sc.name(),
          r.ratio(), r.extraMsPerIteration());
    }
    System.out.printf(Locale.ROOT, "  worst stuck scenario: %.2fx (goal <= 1.2x)%n", worst);
  }

  // ------------------------------------------------------------------ the table

  /** One scenario's results, by arm and seed. */
  private static final class Row {
    final RescueScenario sc;
    final Map<RescueArm, Map<Long, RescueRun.Result>> byArm = new EnumMap<>(RescueArm.class);

    Row(RescueScenario sc) {
      this.sc = sc;
    }

    void add(RescueArm arm, long seed, RescueRun.Result r) {
      byArm.computeIfAbsent(arm, a -> new java.util.TreeMap<>()).put(seed, r);
    }

    Map<Long, RescueRun.Result> of(RescueArm arm) {
      return byArm.getOrDefault(arm, Map.of());
    }

    String share(RescueArm arm) {
      Map<Long, RescueRun.Result> m = of(arm);
      if (m.isEmpty()) {
        return "-";
      }
      long n = m.values().stream().filter(r -> r.reached(sc.target())).count();
      return n + "/" + m.size();
    }

    long reached(RescueArm arm) {
      return of(arm).values().stream().filter(r -> r.reached(sc.target())).count();
    }

    /** Seeds stuck with no help, and of those, how many the daemon arm brought to the target. */
    int[] rescued() {
      int stuck = 0;
      int rescued = 0;
      for (Map.Entry<Long, RescueRun.Result> e : of(RescueArm.NONE).entrySet()) {
        RescueRun.Result d = of(RescueArm.DAEMON).get(e.getKey());
        if (!e.getValue().reached(sc.target()) && d != null) {
          stuck++;
          rescued += d.reached(sc.target()) ? 1 : 0;
        }
      }
      return new int[] {stuck, rescued};
    }

    double cpuRatio(RescueArm arm) {
      double a = 0;
      double none = 0;
      for (Map.Entry<Long, RescueRun.Result> e : of(arm).entrySet()) {
        RescueRun.Result n = of(RescueArm.NONE).get(e.getKey());
        if (n != null) {
          a += e.getValue().cpuNanos();
          none += n.cpuNanos();
        }
      }
      return none > 0 ? a / none : Double.NaN;
    }

    /**
     * The median over seeds of each seed's CPU ratio: one run the machine stalled (a GC pause
     * of the broker's heap, a descheduled vCPU) moves a 20-iteration scenario's sum by a third,
     * and it falls on either arm (the no-help arm's runs show the same outliers).
     */
    double cpuRatioMedian(RescueArm arm) {
      List<Double> ratios = new ArrayList<>();
      for (Map.Entry<Long, RescueRun.Result> e : of(arm).entrySet()) {
        RescueRun.Result n = of(RescueArm.NONE).get(e.getKey());
        if (n != null && n.cpuNanos() > 0) {
          ratios.add((double) e.getValue().cpuNanos() / n.cpuNanos());
        }
      }
      return median(ratios);
    }

    /** Runs of the arm whose CPU is over {@code factor} times the arm's median run. */
    long outliers(RescueArm arm, double factor) {
      List<Double> cpu = new ArrayList<>();
      of(arm).values().forEach(r -> cpu.add((double) r.cpuNanos()));
      double m = median(cpu);
      return cpu.stream().filter(c -> c > factor * m).count();
    }

    long actionsSent() {
      return of(RescueArm.DAEMON).values().stream()
          .mapToLong(r -> r.actions().stream().filter(RescueRun.ActionLog::sent).count()).sum();
    }

    long actionsDecided() {
      return of(RescueArm.DAEMON).values().stream().mapToLong(r -> r.actions().size()).sum();
    }
  }

  private static double median(List<Double> xs) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static void print(List<Row> rows, List<RescueArm> arms) {
    StringBuilder head = new StringBuilder("| scenario | budget (it) | target loss |");
    StringBuilder rule = new StringBuilder("|---|---|---|");
    for (RescueArm a : arms) {
      head.append(' ').append(a.label).append(" |");
      rule.append("---|");
    }
    head.append(" stuck runs rescued | daemon CPU / none: all seeds (per-seed median) |"
        + " runs > 1.5x their arm's median CPU: none, daemon | actions sent (decided) |");
    rule.append("---|---|---|---|");
    System.out.printf("%n%s%n%s%n", head, rule);
    int stuckAll = 0;
    int rescuedAll = 0;
    double worstCpu = 0;
    double worstCpuMedian = 0;
    List<String> notBetter = new ArrayList<>();
    List<String> controlActions = new ArrayList<>();
    List<String> pacing = new ArrayList<>();
    for (Row r : rows) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "| %s%s | %d | %.3g |",
          r.sc.name(), r.sc.stuck() ? "" : " (control)", r.sc.budget(), r.sc.target()));
      for (RescueArm a : arms) {
        line.append(' ').append(r.share(a)).append(" |");
      }
      int[] rs = r.rescued();
      double cpu = r.cpuRatio(RescueArm.DAEMON);
      double cpuMedian = r.cpuRatioMedian(RescueArm.DAEMON);
      if (!r.of(RescueArm.UNPACED).isEmpty()) {
        pacing.add(String.format(Locale.ROOT, "%s %.2fx", r.sc.name(),
            1 / r.cpuRatio(RescueArm.UNPACED)));
      }
      line.append(String.format(Locale.ROOT, " %s | %s | %s | %d (%d) |",
          r.sc.stuck() && rs[0] > 0 ? rs[1] + "/" + rs[0] : "-",
          Double.isNaN(cpu) ? "-" : String.format(Locale.ROOT, "%.2fx (%.2fx)", cpu, cpuMedian),
          r.of(RescueArm.DAEMON).isEmpty() ? "-" : r.outliers(RescueArm.NONE, 1.5) + ", "
              + r.outliers(RescueArm.DAEMON, 1.5),
          r.actionsSent(), r.actionsDecided()));
      System.out.println(line);
      if (r.sc.stuck()) {
        stuckAll += rs[0];
        rescuedAll += rs[1];
        if (!Double.isNaN(cpu)) {
          worstCpu = Math.max(worstCpu, cpu);
          worstCpuMedian = Math.max(worstCpuMedian, cpuMedian);
        }
        for (RescueArm a : arms) {
          if (a != RescueArm.NONE && a != RescueArm.DAEMON && a != RescueArm.UNPACED
              && !r.of(a).isEmpty()
              && r.reached(RescueArm.DAEMON) <= r.reached(a)) {
            notBetter.add(r.sc.name() + " vs " + a.label);
          }
        }
      } else if (r.actionsDecided() > 0) {
        controlActions.add(r.sc.name() + ": " + r.actionsDecided());
      }
    }
    System.out.printf(Locale.ROOT, "%nstuck runs rescued: %d/%d (%.0f%%; goal >= 90%%)%n",
        rescuedAll, stuckAll, stuckAll == 0 ? 0 : 100.0 * rescuedAll / stuckAll);
    System.out.printf(Locale.ROOT, "daemon arm CPU / no agent, worst stuck scenario: %.2fx over"
        + " all seeds, %.2fx as the median of per-seed ratios (goal <= 1.2x); iterations: every"
        + " arm runs the same budget, 1.00x%n", worstCpu, worstCpuMedian);
    System.out.println("daemon better than every baseline on every stuck scenario: "
        + (notBetter.isEmpty() ? "yes" : "no (not better: " + String.join(", ", notBetter) + ")"));
    System.out.println("actions on the controls: "
        + (controlActions.isEmpty() ? "none" : String.join(", ", controlActions)));
    if (!pacing.isEmpty()) {
      System.out.println("no agent, CPU paced / unpaced: " + String.join(", ", pacing));
    }
    System.out.println("\nbudgets and targets:");
    for (Row r : rows) {
      System.out.println("  " + r.sc.name() + ": " + r.sc.why());
    }
  }
}
