package dev.traininghealth.bench;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Trains one scenario with one seed under one arm, in this thread, one {@code fit} per batch so
 * that the schedules can set the learning rate between steps, and measures the final loss on the
 * clean training set and the CPU time of this thread (DL4J with {@code OMP_NUM_THREADS=1}
 * computes on the calling thread, and the agent's probes and actions run there too; its Kafka
 * threads are not counted, nor is the pacing sleep).
 */
final class RescueRun {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  /** {@code -Dbench.settle=false} leaves the heap as it is before each measured run. */
  private static final boolean SETTLE =
      Boolean.parseBoolean(System.getProperty("bench.settle", "true"));

  /**
   * What one run came to. {@code actions}: the daemon's records for the job, if any; {@code
   * where}: where its CPU time went, to tell a run the agent made dear from one the machine did.
   */
  record Result(double finalLoss, long cpuNanos, long wallNanos, List<ActionLog> actions,
      CpuBreakdown where) {
    boolean reached(double target) {
      return finalLoss <= target; // NaN never reaches
    }

    Result withActions(List<ActionLog> log) {
      return new Result(finalLoss, cpuNanos, wallNanos, log, where);
    }
  }

  /**
   * The dearest step (training-thread CPU, and its index), the listener's {@code close}, and
   * what the machine did meanwhile: GC pauses of this JVM and the hypervisor's steal (clock ticks
   * of {@code /proc/stat}, all cores), which a guest's thread CPU clock can count as running.
   */
  record CpuBreakdown(long maxStepNanos, int maxStep, long closeNanos, long gcMillis,
      long stealTicks) {
    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "[dearest step %d: %.1f ms, close %.1f ms,"
          + " GC %d ms, steal %d ticks]", maxStep, maxStepNanos / 1e6, closeNanos / 1e6,
          gcMillis, stealTicks);
    }
  }

  /** One action the daemon decided for a run: what, with which outcome and verdict. */
  record ActionLog(String rule, String action, String status, String outcome, String verdict,
      long sentIter) {
    boolean sent() {
      return "sent".equals(status);
    }

    @Override
    public String toString() {
      return action + (sent() ? "@" + sentIter + " " + outcome + "/" + verdict : " not sent");
    }
  }

  private RescueRun() {}

  /**
   * @param agent for {@link RescueArm#DAEMON} the agent's configuration (its job id unique to this
   *     run), else null
   * @param stepMs for {@link RescueArm#DAEMON} and {@link RescueArm#NONE}: least wall time per
   *     iteration, see {@code RescueBench}
   */
  static Result run(RescueScenario sc, long seed, RescueArm arm, AgentConfig agent, int stepMs)
      throws InterruptedException {
    MultiLayerNetwork net = sc.job().network(seed);
    DataSetIterator data = sc.job().data(seed);
    DataSet eval = sc.evaluationData(seed);
    double base = net.getLearningRate(0);
    int budget = sc.budget();
    int segment = budget / RescueArm.SEGMENTS;
    double best = Double.NaN;
    HealthListener listener = arm == RescueArm.DAEMON ? HealthListener.create(agent) : null;
    if (listener != null) {
      net.setListeners(listener);
    }
    long wall0 = System.nanoTime();
    long gc0 = gcMillis();
    long steal0 = stealTicks();
    long cpu0 = THREADS.getCurrentThreadCpuTime();
    long maxStepNanos = 0;
    int maxStep = -1;
    long closeNanos = 0;
    try {
      for (int t = 0; t < budget; t++) {
        long stepStart = System.nanoTime();
        long stepCpu0 = THREADS.getCurrentThreadCpuTime();
        if (arm == RescueArm.RESTARTS && t > 0 && t % segment == 0) {
          best = min(best, net.score(eval));
          restartFresh(net, seed * 1_000 + t / segment);
        }
        double lr = arm.learningRate(base, t, budget);
        if (!Double.isNaN(lr)) {
          setLearningRate(net, lr);
        }
        if (!data.hasNext()) {
          data.reset();
        }
        net.fit(data.next());
        long stepCpu = THREADS.getCurrentThreadCpuTime() - stepCpu0;
        if (stepCpu > maxStepNanos) {
          maxStepNanos = stepCpu;
          maxStep = t;
        }
        if (stepMs > 0 && arm.paced()) {
          long left = stepMs * 1_000_000L - (System.nanoTime() - stepStart);
          if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
          }
        }
      }
    } finally {
      if (listener != null) {
        long close0 = THREADS.getCurrentThreadCpuTime();
        listener.close();
        closeNanos = THREADS.getCurrentThreadCpuTime() - close0;
      }
    }
    long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
    long wall = System.nanoTime() - wall0;
    CpuBreakdown where = new CpuBreakdown(maxStepNanos, maxStep, closeNanos, gcMillis() - gc0,
        stealTicks() - steal0);
    net.setListeners(List.of());
    double last = net.score(eval);
    double loss = arm == RescueArm.RESTARTS ? min(best, last) : last;
    return new Result(loss, cpu, wall, List.of(), where);
  }

  /**
   * Empties the young generation before a measured run and gives ND4J's deallocator threads
   * time to free what it released. In the bench's one JVM the broker's and the daemon's garbage
   * share the heap with the training: a young collection took 100-450 ms on two cores (about
   * 280,000 phantom references of ND4J's buffers per collection), and the training steps right
   * after one took 50-170 ms more CPU on the training thread. One such pause landing in a
   * 20-iteration run (50 ms of CPU) moved a scenario's summed ratio by a third, in either arm.
   * In production the daemon and broker run in other processes, so the training JVM does not
   * collect their garbage; the bench now runs them so too by default ({@code --daemon-jvm own}),
   * and settling still gives each measured run the same start.
   */
  static void settleHeap() {
    if (!SETTLE) {
      return;
    }
    System.gc();
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static long gcMillis() {
    long ms = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ms += Math.max(0, gc.getCollectionTime());
    }
    return ms;
  }

  /** The steal column of {@code /proc/stat}'s first line; 0 where there is none. */
  private static long stealTicks() {
    try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(
        java.nio.file.Path.of("/proc/stat"))) {
      String[] f = r.readLine().trim().split("\\s+");
      return f.length > 8 ? Long.parseLong(f[8]) : 0;
    } catch (Exception e) {
      return 0;
    }
  }

  /** The lower of two losses, NaN counting as worst. */
  private static double min(double a, double b) {
    if (Double.isNaN(a)) {
      return b;
    }
    return Double.isNaN(b) ? a : Math.min(a, b);
  }

  /**
   * Sets every updater's rate in place, as the agent's learning-rate control does, rather than
   * by {@code setLearningRate}, which rebuilds the updater every call.
   */
  private static void setLearningRate(MultiLayerNetwork net, double lr) {
    for (Layer layer : net.getLayers()) {
      org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
      for (String p : layer.paramTable().keySet()) {
        IUpdater u = conf.getUpdaterByParam(p);
        if (u != null && u.hasLearningRate()) {
          u.setLrAndSchedule(lr, null);
        }
      }
    }
  }

  /**
   * A new draw from the network's own configuration under another seed, updater state zeroed:
   * the same thing the agent's {@code restart from: init} does, so the two differ only in when.
   */
  static void restartFresh(MultiLayerNetwork net, long seed) {
    MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
    for (NeuralNetConfiguration c : conf.getConfs()) {
      c.setSeed(seed);
    }
    MultiLayerNetwork fresh = new MultiLayerNetwork(conf);
    fresh.init();
    net.params().assign(fresh.params());
    if (net.getUpdater(false) instanceof BaseMultiLayerUpdater<?> u
        && u.getStateViewArray() != null) {
      u.getStateViewArray().assign(0);
    }
  }
}
