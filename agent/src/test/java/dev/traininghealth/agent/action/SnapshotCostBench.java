package dev.traininghealth.agent.action;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.agent.transport.EventSink;
import dev.traininghealth.rules.event.Event;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Per-step cost of the executor's rollback snapshots on the 784-1024-1024-10 MLP (Adam, batch
 * 128): paired blocks of steps with snapshots off, every 10th, every iteration and auto, in one JVM.
 * Run: java -cp ... dev.traininghealth.agent.action.SnapshotCostBench [blocks] [steps]
 */
public final class SnapshotCostBench {
  private static final EventSink NOWHERE =
      new EventSink() {
        @Override
        public boolean offer(Event event) {
          return true;
        }

        @Override
        public long dropped() {
          return 0;
        }

        @Override
        public void close() {}
      };

  public static void main(String[] args) {
    int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int[] cadences = {0, 10, 1, ActionSettings.ROLLBACK_AUTO};
    MultiLayerNetwork[] nets = new MultiLayerNetwork[cadences.length];
    ActionExecutor[] executors = new ActionExecutor[cadences.length];
    for (int i = 0; i < cadences.length; i++) {
      nets[i] = mlp();
      ActionSettings s = ActionSettings.builder().key("0123456789abcdef").rollbackEvery(cadences[i]).build();
      executors[i] = ActionExecutor.builder(s, "bench").build();
      nets[i].addListeners(HealthListener.create(
          AgentConfig.builder().job("bench").heartbeatIntervalMs(0).build(), NOWHERE,
          executors[i]));
    }
    Nd4j.getRandom().setSeed(1);
    org.nd4j.linalg.api.ndarray.INDArray labels = Nd4j.zeros(DataType.FLOAT, 128, 10);
    for (int i = 0; i < 128; i++) {
      labels.putScalar(i, i % 10, 1);
    }
    DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 128, 784), labels);
    for (MultiLayerNetwork n : nets) {
      for (int i = 0; i < 10; i++) {
        n.fit(batch);
      }
    }
    double[][] ms = new double[cadences.length][blocks];
    for (int b = 0; b < blocks; b++) {
      for (int i = 0; i < cadences.length; i++) {
        long t0 = System.nanoTime();
        for (int k = 0; k < steps; k++) {
          nets[i].fit(batch);
        }
        ms[i][b] = (System.nanoTime() - t0) / 1e6 / steps;
      }
    }
    // The copy alone, without training noise: one snapshot of parameters + Adam state.
    RollbackSnapshots copies = new RollbackSnapshots(1, 2);
    double[] copyMs = new double[50];
    for (int k = 0; k < copyMs.length; k++) {
      long t0 = System.nanoTime();
      copies.atBoundary(nets[0], k, 1.0);
      copyMs[k] = (System.nanoTime() - t0) / 1e6;
    }
    System.out.printf("one snapshot (params %d + updater state %d floats): median %.2f ms%n",
        nets[0].params().length(), ModelState.updaterState(nets[0]).length(), median(copyMs));
    double base = median(ms[0]);
    for (int i = 0; i < cadences.length; i++) {
      String every = cadences[i] == ActionSettings.ROLLBACK_AUTO ? "auto" : String.valueOf(cadences[i]);
      System.out.printf("rollback.every=%-4s median %.2f ms/step  ratio %.3f  blocks %s%n", every,
          median(ms[i]), median(ms[i]) / base, Arrays.toString(ms[i]));
    }
    System.out.println("auto chose: " + executors[cadences.length - 1].rollbackCadence());
  }

  private static double median(double[] a) {
    double[] c = a.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  private static MultiLayerNetwork mlp() {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
        .updater(new Adam(1e-3)).list()
        .layer(new DenseLayer.Builder().nIn(784).nOut(1024).activation(Activation.RELU).build())
        .layer(new DenseLayer.Builder().nIn(1024).nOut(1024).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(1024).nOut(10)
            .activation(Activation.SOFTMAX).build())
        .build());
    net.init();
    return net;
  }
}
