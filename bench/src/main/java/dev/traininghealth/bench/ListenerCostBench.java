package dev.traininghealth.bench;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.zoo.BenchMlp;
import dev.traininghealth.zoo.HealthyMlp;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * CPU time spent inside a listener's callbacks per step, on the MLP 784-1024-1024-10 (batch 128),
 * beside the CPU time of a step without a listener. {@link OverheadBench} measures what a
 * listener adds to the step; on a shared machine that difference drowns in noise of a few per
 * cent, while the time inside the callbacks, on the training thread's CPU clock, is measured
 * directly. It misses what a listener costs outside its callbacks (caches it evicted, garbage it
 * left), so read it beside {@code OverheadBench}, not instead of it. Run with
 * {@code OMP_NUM_THREADS=1}.
 *
 * <p>Arguments: {@code [rounds] [net]}: rounds (default 10) of 20 iterations per configuration
 * (200 on the tiny net), on {@code mlp} (default) or {@code tiny}, the 20-64-3 MLP of
 * {@link OverheadBench}, where the listener's fixed cost per step shows.
 */
public final class ListenerCostBench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ListenerCostBench() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    boolean tiny = args.length > 1 && args[1].equals("tiny");
    if (args.length > 1 && !tiny && !args[1].equals("mlp")) {
      throw new IllegalArgumentException("unknown net " + args[1] + " (mlp, tiny)");
    }
    int block = tiny ? 200 : 20;
    Map<String, Supplier<TrainingListener>> configs = new LinkedHashMap<>();
    configs.put("no listener", () -> null);
    configs.put("ours, all norms, no activations", () -> HealthListener.create(
        AgentConfig.builder().job("bench").probes("thorough").normsEvery(1).activationsEvery(0)
            .heartbeatIntervalMs(0).build(), new DiscardingSink()));
    configs.put("ours, cheap, no activations", () -> HealthListener.create(
        AgentConfig.builder().job("bench").probes("cheap").activationsEvery(0)
            .heartbeatIntervalMs(0).build(), new DiscardingSink()));
    configs.put("one gradient norm2", OverheadBench.GradNormListener::new);

    DataSet batch = tiny ? new HealthyMlp().data(1).next() : new BenchMlp().data(1).next();
    List<String> names = new ArrayList<>(configs.keySet());
    List<MultiLayerNetwork> nets = new ArrayList<>();
    List<Timed> timers = new ArrayList<>();
    for (String n : names) {
      MultiLayerNetwork net = tiny ? new HealthyMlp().network(1) : new BenchMlp().network(1);
      TrainingListener l = configs.get(n).get();
      Timed t = new Timed(l);
      if (l != null) {
        net.setListeners(t);
      }
      nets.add(net);
      timers.add(t);
    }
    for (MultiLayerNetwork net : nets) {
      for (int i = 0; i < 2 * block; i++) {
        net.fit(batch);
      }
    }
    List<List<Double>> stepCpu = new ArrayList<>();
    List<List<Double>> inListener = new ArrayList<>();
    List<List<Double>> inGradient = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      stepCpu.add(new ArrayList<>());
      inListener.add(new ArrayList<>());
      inGradient.add(new ArrayList<>());
    }
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < names.size(); k++) {
        int c = (k + r) % names.size();
        Timed t = timers.get(c);
        t.nanos = 0;
        t.gradientNanos = 0;
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < block; i++) {
          nets.get(c).fit(batch);
        }
        stepCpu.get(c).add((THREADS.getCurrentThreadCpuTime() - cpu0) / 1e6 / block);
        inListener.get(c).add(t.nanos / 1e6 / block);
        inGradient.get(c).add(t.gradientNanos / 1e6 / block);
      }
      System.err.print(".");
    }
    System.err.println();
    double base = OverheadBench.median(stepCpu.get(0));
    System.out.printf("OMP_NUM_THREADS=%s, rounds=%d x %d iterations, load average %.2f -> %.2f%n",
        System.getenv("OMP_NUM_THREADS"), rounds, block, loadBefore,
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.out.printf("%s: CPU ms per step without a listener %.3f%n",
        tiny ? "MLP 20-64-3, batch 32" : "MLP 784-1024-1024-10, batch 128", base);
    System.out.printf("  %-32s %12s %12s %14s %10s%n", "configuration", "cpu ms/step",
        "in listener", "of which grad", "1 + share");
    for (int c = 0; c < names.size(); c++) {
      double in = OverheadBench.median(inListener.get(c));
      System.out.printf("  %-32s %12.3f %12.3f %14.3f %9.3fx%n", names.get(c),
          OverheadBench.median(stepCpu.get(c)), in, OverheadBench.median(inGradient.get(c)),
          1 + in / base);
    }
    for (Timed t : timers) {
      if (t.inner instanceof HealthListener) {
        ((HealthListener) t.inner).close();
      }
    }
  }

  /** Forwards every callback and adds up the CPU time spent in them. */
  private static final class Timed extends BaseTrainingListener {
    final TrainingListener inner;
    long nanos;
    long gradientNanos;

    Timed(TrainingListener inner) {
      this.inner = inner;
    }

    /** Runs one callback of the wrapped listener and adds its CPU time; returns that time. */
    private long time(Runnable callback) {
      long t = THREADS.getCurrentThreadCpuTime();
      callback.run();
      long d = THREADS.getCurrentThreadCpuTime() - t;
      nanos += d;
      return d;
    }

    @Override
    public void onEpochStart(Model model) {
      time(() -> inner.onEpochStart(model));
    }

    @Override
    public void onEpochEnd(Model model) {
      time(() -> inner.onEpochEnd(model));
    }

    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
      time(() -> inner.onForwardPass(model, activations));
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
      time(() -> inner.onForwardPass(model, activations));
    }

    @Override
    public void onGradientCalculation(Model model) {
      gradientNanos += time(() -> inner.onGradientCalculation(model));
    }

    @Override
    public void onBackwardPass(Model model) {
      time(() -> inner.onBackwardPass(model));
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      time(() -> inner.iterationDone(model, iteration, epoch));
    }
  }
}
