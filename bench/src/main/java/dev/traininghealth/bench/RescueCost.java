package dev.traininghealth.bench;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.BoundaryTask;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.agent.action.ActionExecutor;
import dev.traininghealth.agent.curvature.CurvatureTask;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * The agent's own CPU on the training thread, without the daemon: one scenario trained with no
 * agent and with the daemon arm's agent (the same probes, activations every 20, curvature probe
 * every 50, the action executor's bookkeeping and rollback snapshots), its events discarded and
 * no commands coming, alternately, unpaced, in the same thread; the median of several rounds
 * after one round of warm-up. The daemon arm's end-to-end ratio also carries what the daemon, its
 * broker and the pacing do to the training thread on a shared machine; this one isolates the
 * agent. Commands are left out: a run gets a handful, each a few milliseconds at most.
 */
final class RescueCost {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private RescueCost() {}

  /** Median CPU with the agent over median CPU without, and the per-iteration difference. */
  record Ratio(double ratio, double extraMsPerIteration) {}

  static Ratio measure(RescueScenario sc, int rounds, Path dir) {
    long[] none = new long[rounds];
    long[] agent = new long[rounds];
    for (int r = -1; r < rounds; r++) {
      RescueRun.settleHeap();
      long a = run(sc, null);
      RescueRun.settleHeap();
      long b = run(sc, agentConfig(dir));
      if (r >= 0) {
        none[r] = a;
        agent[r] = b;
      }
    }
    Arrays.sort(none);
    Arrays.sort(agent);
    double n = none[rounds / 2];
    double g = agent[rounds / 2];
    return new Ratio(g / n, (g - n) / 1e6 / sc.budget());
  }

  /** The daemon arm's agent settings (see {@code RescueBench.agent}), with no broker. */
  private static AgentConfig agentConfig(Path dir) {
    return RescueBench.agentSettings(AgentConfig.builder().job("rescue-cost")
        .bootstrapServers("unused:1"), dir).build();
  }

  private static long run(RescueScenario sc, AgentConfig config) {
    MultiLayerNetwork net = sc.job().network(1);
    DataSetIterator data = sc.job().data(1);
    HealthListener listener = null;
    if (config != null) {
      List<BoundaryTask> tasks = new ArrayList<>();
      CurvatureTask curvature = CurvatureTask.from(config);
      tasks.add(curvature);
      tasks.add(ActionExecutor.builder(config.actions(), config.job())
          .curvature(curvature::latest).build());
      listener = HealthListener.create(config, new DiscardingSink(),
          tasks.toArray(new BoundaryTask[0]));
      net.setListeners(listener);
    }
    long cpu0 = THREADS.getCurrentThreadCpuTime();
    for (int t = 0; t < sc.budget(); t++) {
      if (!data.hasNext()) {
        data.reset();
      }
      net.fit(data.next());
    }
    if (listener != null) {
      listener.close();
    }
    return THREADS.getCurrentThreadCpuTime() - cpu0;
  }
}
