package dev.traininghealth.bench;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.kafka.EmbeddedKafka;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Step-time overhead of monitoring: no listener vs ours (cheap and thorough tiers, no transport;
 * cheap with the real Kafka transport to an in-process broker) vs DL4J's {@code StatsListener}
 * (default: reports every 10 iterations; and every iteration) vs one whole-gradient
 * {@code norm2Number()}, on the MLP 784-1024-1024-10 (batch 128), a LeNet-style CNN (batch 64)
 * and a tiny 20-64-3 MLP. Each configuration trains its own copy of the network on a fixed
 * random batch; blocks of iterations alternate between configurations in rotating order; the
 * figure is the median of the blocks' mean step time. Run with {@code OMP_NUM_THREADS=1}.
 *
 * <p>Arguments: {@code [rounds] [nets]} (defaults 8 and {@code mlp,lenet,tiny}).
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
            run("MLP 784-1024-1024-10, batch 128", OverheadBench::mlp,
                new DataSet(Nd4j.rand(128, 784), oneHot(128, 10)), 10, rounds, kafka);
            break;
          case "lenet":
            run("LeNet CNN, batch 64", OverheadBench::lenet,
                new DataSet(Nd4j.rand(new int[] {64, 1, 28, 28}), oneHot(64, 10)), 4, rounds,
                kafka);
            break;
          case "tiny":
            run("MLP 20-64-3, batch 32", OverheadBench::tiny,
                new DataSet(Nd4j.rand(32, 20), oneHot(32, 3)), 200, rounds, kafka);
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
    configs.put("ours, cheap, Kafka", () -> ours("cheap", kafka.bootstrapServers()));
    configs.put("StatsListener default", () -> new StatsListener(new InMemoryStatsStorage()));
    configs.put("StatsListener every iter", () -> new StatsListener(new InMemoryStatsStorage(), 1));
    configs.put("one gradient norm2", GradNormListener::new);

    List<String> names = new ArrayList<>(configs.keySet());
    List<MultiLayerNetwork> models = new ArrayList<>();
    List<TrainingListener> listeners = new ArrayList<>();
    for (String n : names) {
      MultiLayerNetwork m = build.get();
      TrainingListener l = configs.get(n).get();
      if (l != null) {
        m.setListeners(l);
      }
      models.add(m);
      listeners.add(l);
    }
    // Warm-up: JIT, workspaces, the broker connection.
    for (MultiLayerNetwork m : models) {
      for (int i = 0; i < Math.max(3, blockIters); i++) {
        m.fit(batch);
      }
    }
    List<List<Double>> blocks = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      blocks.add(new ArrayList<>());
    }
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < names.size(); k++) {
        int c = (k + r) % names.size(); // rotate the order so no config always goes first
        MultiLayerNetwork m = models.get(c);
        long t0 = System.nanoTime();
        for (int i = 0; i < blockIters; i++) {
          m.fit(batch);
        }
        blocks.get(c).add((System.nanoTime() - t0) / 1e6 / blockIters);
      }
      System.err.print(".");
    }
    System.err.println();
    double base = median(blocks.get(0));
    double statsDefault = median(blocks.get(names.indexOf("StatsListener default")));
    System.out.printf("%n%s (%d rounds x %d iterations)%n", title, rounds, blockIters);
    System.out.printf("  %-26s %10s %8s%n", "configuration", "ms/step", "ratio");
    for (int c = 0; c < names.size(); c++) {
      double med = median(blocks.get(c));
      System.out.printf("  %-26s %10.3f %7.3fx%n", names.get(c), med, med / base);
    }
    double ours = median(blocks.get(names.indexOf("ours, cheap")));
    System.out.printf("  our overhead / StatsListener default overhead: %.2f%n",
        (ours - base) / (statsDefault - base));
    for (TrainingListener l : listeners) {
      if (l instanceof HealthListener) {
        ((HealthListener) l).close();
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

  static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private static org.nd4j.linalg.api.ndarray.INDArray oneHot(int n, int k) {
    org.nd4j.linalg.api.ndarray.INDArray y = Nd4j.zeros(n, k);
    for (int i = 0; i < n; i++) {
      y.putScalar(i, i % k, 1.0);
    }
    return y;
  }

  static MultiLayerNetwork mlp() {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1)
        .updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER).list()
        .layer(new DenseLayer.Builder().nIn(784).nOut(1024).activation(Activation.RELU).build())
        .layer(new DenseLayer.Builder().nIn(1024).nOut(1024).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(1024).nOut(10)
            .activation(Activation.SOFTMAX).build())
        .build();
    MultiLayerNetwork n = new MultiLayerNetwork(conf);
    n.init();
    return n;
  }

  static MultiLayerNetwork lenet() {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1)
        .updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER).list()
        .layer(new ConvolutionLayer.Builder(5, 5).nOut(20).activation(Activation.RELU).build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
            .stride(2, 2).build())
        .layer(new ConvolutionLayer.Builder(5, 5).nOut(50).activation(Activation.RELU).build())
        .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
            .stride(2, 2).build())
        .layer(new DenseLayer.Builder().nOut(500).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
            .activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutionalFlat(28, 28, 1))
        .build();
    MultiLayerNetwork n = new MultiLayerNetwork(conf);
    n.init();
    return n;
  }

  static MultiLayerNetwork tiny() {
    MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1)
        .updater(new Adam(1e-2)).weightInit(WeightInit.XAVIER).list()
        .layer(new DenseLayer.Builder().nIn(20).nOut(64).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(64).nOut(3)
            .activation(Activation.SOFTMAX).build())
        .build();
    MultiLayerNetwork n = new MultiLayerNetwork(conf);
    n.init();
    return n;
  }
}
