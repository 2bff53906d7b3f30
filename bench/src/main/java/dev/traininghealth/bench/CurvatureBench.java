package dev.traininghealth.bench;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.agent.curvature.CurvatureTask;
import dev.traininghealth.agent.transport.EventSink;
import dev.traininghealth.rules.event.Curvature;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.zoo.BenchMlp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Cost of the curvature probe on the MLP 784-1024-1024-10 (ReLU, softmax, Adam 1e-3, batch 128,
 * random data), as the agent runs it. Three copies of the network train on the same four random
 * batches: without a listener, with the agent's listener at its default probes (curvature off),
 * and with the listener plus a {@link CurvatureTask} that estimates once per block. Blocks of
 * {@value #BLOCK} steps alternate between the three in rotating order; figures are medians over
 * the rounds. The task's budget is lifted so that every estimate is a full default one (at most
 * 12 + 6 Lanczos iterations); the amortised ratio at cadence c is then
 * (agent step + extra per estimate / c) / plain step, where the extra per estimate is the paired
 * difference of the blocks with and without the estimate. Run with {@code OMP_NUM_THREADS=1}.
 *
 * <p>Arguments: {@code [rounds]} (default 7).
 */
public final class CurvatureBench {
  private static final int BLOCK = 10;
  private static final int[] CADENCES = {50, 100, 200, 500, 1000, 2000};
  private static final double DEFAULT_BUDGET = 0.05;

  private CurvatureBench() {}

  /** Keeps the curvature events, drops the rest. */
  private static final class CurvatureSink implements EventSink {
    final List<Curvature> events = new ArrayList<>();

    @Override
    public boolean offer(Event event) {
      if (event instanceof Curvature) {
        events.add((Curvature) event);
      }
      return true;
    }

    @Override
    public long dropped() {
      return 0;
    }

    @Override
    public void close() {}
  }

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    BenchMlp job = new BenchMlp(4, 1);
    DataSet[] batches = new DataSet[job.batches()];
    DataSetIterator it = job.data(1);
    for (int i = 0; i < batches.length; i++) {
      batches[i] = it.next();
    }
    AgentConfig config = AgentConfig.builder().job("bench").heartbeatIntervalMs(0).build();
    MultiLayerNetwork plain = job.network(1);
    MultiLayerNetwork agent = job.network(1);
    agent.setListeners(HealthListener.create(config, new DiscardingSink()));
    MultiLayerNetwork probed = job.network(1);
    CurvatureSink sink = new CurvatureSink();
    CurvatureTask task = CurvatureTask.builder().every(BLOCK).budgetShare(1e9).build();
    probed.setListeners(HealthListener.create(config, sink, task));
    MultiLayerNetwork[] nets = {plain, agent, probed};
    String[] names = {"no listener", "agent, default probes", "agent + curvature"};

    // Warm-up: JIT, workspaces, the probe's first (minimal, cost-measuring) estimate and a full
    // one with its buffers allocated.
    for (int b = 0; b < 3; b++) {
      for (MultiLayerNetwork net : nets) {
        block(net, batches);
      }
    }
    int warmEvents = sink.events.size();
    double[][] blockMs = new double[nets.length][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < nets.length; k++) {
        int c = (k + r) % nets.length;
        blockMs[c][r] = block(nets[c], batches);
      }
      System.err.print(".");
    }
    System.err.println();
    List<Curvature> measured = sink.events.subList(warmEvents, sink.events.size());
    report(rounds, plain, names, blockMs, measured);
  }

  private static double block(MultiLayerNetwork net, DataSet[] batches) {
    long t0 = System.nanoTime();
    for (int i = 0; i < BLOCK; i++) {
      net.fit(batches[net.getIterationCount() % batches.length]);
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  private static void report(
      int rounds,
      MultiLayerNetwork net,
      String[] names,
      double[][] blockMs,
      List<Curvature> events) {
    double plainStep = median(blockMs[0]) / BLOCK;
    double agentStep = median(blockMs[1]) / BLOCK;
    double[] extra = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      extra[r] = blockMs[2][r] - blockMs[1][r];
    }
    double extraMs = median(extra);
    double[] cost = events.stream().mapToDouble(Curvature::costMs).toArray();
    double[] evals = events.stream().mapToDouble(Curvature::gradientEvaluations).toArray();
    double[] lanczos = events.stream().mapToDouble(Curvature::iterations).toArray();
    double[] perGradient = new double[events.size()];
    for (int i = 0; i < perGradient.length; i++) {
      perGradient[i] = cost[i] / evals[i];
    }
    double costMs = median(cost);

    System.out.printf(Locale.ROOT,
        "MLP 784-1024-1024-10, batch 128, Adam 1e-3, random data: %d parameters;"
            + " OMP_NUM_THREADS=%s, %d cores; %d rounds x %d steps%n",
        net.numParams(), System.getenv("OMP_NUM_THREADS"),
        Runtime.getRuntime().availableProcessors(), rounds, BLOCK);
    System.out.printf(Locale.ROOT, "  %-24s %8.1f ms/step%n", names[0], plainStep);
    System.out.printf(Locale.ROOT, "  %-24s %8.1f ms/step  %.3fx%n", names[1], agentStep,
        agentStep / plainStep);
    System.out.printf(Locale.ROOT,
        "estimate (%d): %.0f ms median (%.0f..%.0f), paired extra per block %.0f ms;"
            + " gradient evaluations %s (median %.0f); Lanczos iterations %s%n",
        events.size(), costMs, min(cost), max(cost), extraMs, ints(evals), median(evals),
        ints(lanczos));
    System.out.printf(Locale.ROOT,
        "  %.1f ms per gradient evaluation inside the estimate = %.2f training steps;"
            + " one Hessian-vector product = %.2f steps%n",
        median(perGradient), median(perGradient) / plainStep, 2 * median(perGradient) / plainStep);
    System.out.printf(Locale.ROOT, "  %-8s %-30s %-22s %s%n", "every", "agent + curvature vs none",
        "curvature alone", "full estimate within the 0.05 budget");
    for (int every : CADENCES) {
      double amortised = extraMs / every;
      double budget = DEFAULT_BUDGET * every * plainStep;
      System.out.printf(Locale.ROOT, "  %-8d %-30s %-22s %s%n", every,
          String.format(Locale.ROOT, "%.3fx", (agentStep + amortised) / plainStep),
          String.format(Locale.ROOT, "%.3fx", 1 + amortised / plainStep),
          costMs <= budget
              ? String.format(Locale.ROOT, "yes (%.0f ms)", budget)
              : String.format(Locale.ROOT, "no (%.0f ms: shortened or skipped)", budget));
    }
  }

  private static String ints(double[] v) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      b.append(i == 0 ? "" : ", ").append((long) v[i]);
    }
    return b.append(']').toString();
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }

  private static double max(double[] v) {
    return Arrays.stream(v).max().orElse(Double.NaN);
  }

  static double median(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }
}
