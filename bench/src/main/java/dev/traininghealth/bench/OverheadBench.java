package dev.traininghealth.bench;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.zoo.BenchLenet;
import dev.traininghealth.zoo.BenchMlp;
import dev.traininghealth.zoo.HealthyMlp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Step-time overhead of monitoring: no listener vs ours (cheap and thorough tiers, no transport;
 * every norm every iteration without activations; cheap with the real Kafka transport to an
 * in-process broker) vs DL4J's {@code StatsListener}
 * (default: reports every 10 iterations; and every iteration) vs one whole-gradient
 * {@code norm2Number()}, on the MLP 784-1024-1024-10 (batch 128), a LeNet-style CNN (batch 64)
 * and a tiny 20-64-3 MLP (the zoo's bench-mlp, bench-lenet and healthy-mlp jobs). Each
 * configuration trains its own copy of the network on one fixed batch; blocks of iterations
 * alternate between configurations in rotating order; the figure is the median of the blocks'
 * mean step time. Run with {@code OMP_NUM_THREADS=1}. Beside wall time it reports the training
 * thread's CPU time per step (with one OpenMP thread ND4J computes on that thread), which a
 * shared, loaded machine disturbs much less than wall time; listeners' background threads (the
 * Kafka sender, the heartbeat, our step-norm helper) are not in it. The third figure is the whole
 * process's CPU time per step, which has them (and GC, JIT and the in-process broker).
 *
 * <p>Arguments: {@code [rounds] [nets]} (defaults 8 and {@code mlp,lenet,tiny}). Properties:
 * {@code bench.shared=true} trains one network for all configurations (see {@link #SHARED});
 * {@code bench.configs} keeps only the named configurations, separated by {@code ;}.
 */
public final class OverheadBench {
  private OverheadBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    List<String> nets = Arrays.asList((args.length > 1 ? args[1] : "mlp,lenet,tiny").split(","));
    System.out.println("OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS") + ", cores="
        + Runtime.getRuntime().availableProcessors() + ", rounds=" + rounds);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, "th.events");
      for (String net : nets) {
        switch (net) {
          case "mlp":
            run("MLP 784-1024-1024-10, batch 128", () -> new BenchMlp().network(1),
                new BenchMlp().data(1).next(), 10, rounds, kafka);
            break;
          case "lenet":
            run("LeNet CNN, batch 64", () -> new BenchLenet().network(1),
                new BenchLenet().data(1).next(), 4, rounds, kafka);
            break;
          case "tiny":
            run("MLP 20-64-3, batch 32", () -> new HealthyMlp().network(1),
                new HealthyMlp().data(1).next(), 200, rounds, kafka);
            break;
          default:
            throw new IllegalArgumentException("unknown net " + net + " (mlp, lenet, tiny)");
        }
      }
    }
  }

  private static void run(String title, Supplier<MultiLayerNetwork> build, DataSet batch,
      int blockIters, int rounds, EmbeddedKafka kafka) {
    Map<String, Supplier<TrainingListener>> configs = new LinkedHashMap<>();
    configs.put("no listener", () -> null);
    configs.put("ours, cheap", () -> ours("cheap", null));
    configs.put("ours, thorough", () -> ours("thorough", null));
    // The goal configuration: every probe but activations, every iteration.
    configs.put("ours, all norms, no activations", () -> HealthListener.create(
        AgentConfig.builder().job("bench").probes("thorough").normsEvery(1).activationsEvery(0)
            .build(), new DiscardingSink()));
    // The same with the update and parameter passes kept on the training thread.
    configs.put("ours, all norms, inline", () -> HealthListener.create(
        AgentConfig.builder().job("bench").probes("thorough").normsEvery(1).activationsEvery(0)
            .normsBackground(false).build(), new DiscardingSink()));
    configs.put("ours, cheap, Kafka", () -> ours("cheap", kafka.bootstrapServers()));
    configs.put("StatsListener default", () -> new StatsListener(new InMemoryStatsStorage()));
    configs.put("StatsListener every iter", () -> new StatsListener(new InMemoryStatsStorage(), 1));
    configs.put("one gradient norm2", GradNormListener::new);

    String only = System.getProperty("bench.configs", "");
    if (!only.isEmpty()) {
      // "no listener" stays: every ratio is against it.
      List<String> keep = Arrays.asList(only.split(";"));
      configs.keySet().removeIf(k -> !k.equals("no listener") && !keep.contains(k));
    }
    List<String> names = new ArrayList<>(configs.keySet());
    List<MultiLayerNetwork> models = new ArrayList<>();
    List<TrainingListener> listeners = new ArrayList<>();
    MultiLayerNetwork shared = SHARED ? build.get() : null;
    for (String n : names) {
      MultiLayerNetwork m = SHARED ? shared : build.get();
      TrainingListener l = configs.get(n).get();
      if (l != null && !SHARED) {
        m.setListeners(l);
      }
      models.add(m);
      listeners.add(l);
    }
    // Warm-up: JIT, workspaces, the broker connection.
    for (int c = 0; c < models.size(); c++) {
      attach(models.get(c), listeners.get(c));
      for (int i = 0; i < Math.max(3, blockIters); i++) {
        models.get(c).fit(batch);
      }
    }
    List<List<Double>> blocks = new ArrayList<>();
    List<List<Double>> cpuBlocks = new ArrayList<>();
    List<List<Double>> processBlocks = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      blocks.add(new ArrayList<>());
      cpuBlocks.add(new ArrayList<>());
      processBlocks.add(new ArrayList<>());
    }
    double loadBefore = loadAverage();
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < names.size(); k++) {
        int c = (k + r) % names.size(); // rotate the order so no config always goes first
        MultiLayerNetwork m = models.get(c);
        attach(m, listeners.get(c));
        long process0 = processCpuNanos();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < blockIters; i++) {
          m.fit(batch);
        }
        blocks.get(c).add((System.nanoTime() - t0) / 1e6 / blockIters);
        cpuBlocks.get(c).add((THREADS.getCurrentThreadCpuTime() - cpu0) / 1e6 / blockIters);
        processBlocks.get(c).add((processCpuNanos() - process0) / 1e6 / blockIters);
      }
      System.err.print(".");
    }
    System.err.println();
    double base = median(blocks.get(0));
    double cpuBase = median(cpuBlocks.get(0));
    double processBase = median(processBlocks.get(0));
    System.out.printf("%n%s (%d rounds x %d iterations, load average %.2f -> %.2f)%n", title,
        rounds, blockIters, loadBefore, loadAverage());
    System.out.printf("  %-32s %10s %8s %10s %8s %10s %8s %8s%n", "configuration", "ms/step",
        "ratio", "cpu ms", "ratio", "proc ms", "ratio", "paired");
    for (int c = 0; c < names.size(); c++) {
      double med = median(blocks.get(c));
      double cpu = median(cpuBlocks.get(c));
      double process = median(processBlocks.get(c));
      System.out.printf("  %-32s %10.3f %7.3fx %10.3f %7.3fx %10.3f %7.3fx %7.3fx%n",
          names.get(c), med, med / base, cpu, cpu / cpuBase, process, process / processBase,
          pairedRatio(blocks.get(c), blocks.get(0)));
    }
    if (configs.containsKey("ours, cheap") && configs.containsKey("StatsListener default")) {
      double ours = median(blocks.get(names.indexOf("ours, cheap")));
      double statsDefault = median(blocks.get(names.indexOf("StatsListener default")));
      // The paired form divides each block by the no-listener block of its own round, so a
      // drift of the machine over the run cancels; a ratio of two small differences of medians
      // moved from 0.08 to 0.25 between runs of one build.
      double oursPaired = pairedRatio(blocks.get(names.indexOf("ours, cheap")), blocks.get(0));
      double statsPaired = pairedRatio(blocks.get(names.indexOf("StatsListener default")),
          blocks.get(0));
      System.out.printf("  our overhead / StatsListener default overhead: %.2f (paired: %.2f;"
          + " goal <= 0.20)%n", (ours - base) / (statsDefault - base),
          (oursPaired - 1) / (statsPaired - 1));
    }
    for (TrainingListener l : listeners) {
      if (l instanceof HealthListener) {
        ((HealthListener) l).close();
      }
    }
  }

  /**
   * With {@code -Dbench.shared=true} every configuration trains the same network, its listener
   * swapped in for its block: where each network lies in memory then no longer tells the
   * configurations apart (separate copies differ by a few percent with no listener at all).
   */
  private static final boolean SHARED = Boolean.getBoolean("bench.shared");

  private static void attach(MultiLayerNetwork m, TrainingListener l) {
    if (SHARED) {
      if (l == null) {
        m.setListeners(new TrainingListener[0]);
      } else {
        m.setListeners(l);
      }
    }
  }

  private static TrainingListener ours(String tier, String bootstrap) {
    AgentConfig.Builder b = AgentConfig.builder().job("bench").probes(tier);
    if (bootstrap == null) {
      return HealthListener.create(b.build(), new DiscardingSink());
    }
    return HealthListener.create(b.bootstrapServers(bootstrap).build());
  }

  /** The floor from ANCHORS.md: one norm of the whole gradient, nothing else. */
  static final class GradNormListener extends BaseTrainingListener {
    double last;

    @Override
    public void onGradientCalculation(org.deeplearning4j.nn.api.Model model) {
      last = model.gradient().gradient().norm2Number().doubleValue();
    }
  }

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /** CPU time of the whole JVM: the training thread, listeners' helpers, GC, JIT, the broker. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        .getSystemLoadAverage();
  }

  /**
   * The median over rounds of a block's wall time over the no-listener block of the same round:
   * pairs cancel the machine's slow drifts, which the ratio of medians does not.
   */
  static double pairedRatio(List<Double> blocks, List<Double> base) {
    List<Double> r = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      r.add(blocks.get(i) / base.get(i));
    }
    return median(r);
  }

  static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }
}
