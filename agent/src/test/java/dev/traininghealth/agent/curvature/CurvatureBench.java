package dev.traininghealth.agent.curvature;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Cost of the curvature probe on the MLP 784-1024-1024-10 (ReLU, softmax, Adam 1e-3, batch 128,
 * random data). Paired blocks in one JVM, alternating: a block of {@code BLOCK} plain steps, and
 * the same block followed by one estimate; medians. The amortised ratio at cadence c is
 * 1 + (extra ms per estimate) / (c * ms per step). Run with OMP_NUM_THREADS=1.
 */
public final class CurvatureBench {
  private static final int BLOCK = 10;

  private CurvatureBench() {}

  public static void main(String[] args) {
    int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    MultiLayerNetwork net = mlp();
    DataSet[] batches = new DataSet[4];
    Random r = new Random(1);
    for (int i = 0; i < batches.length; i++) {
      batches[i] = randomBatch(r);
    }
    CurvatureProbe probe = CurvatureProbe.withDefaults();
    for (int i = 0; i < 10; i++) {
      net.fit(batches[i % batches.length]);
    }
    probe.estimate(net, batches[0]);

    double[] plain = new double[pairs];
    double[] probed = new double[pairs];
    double[] estimateMs = new double[pairs];
    int[] evals = new int[pairs];
    int step = 0;
    for (int p = 0; p < pairs; p++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < BLOCK; i++) {
        net.fit(batches[step++ % batches.length]);
      }
      plain[p] = (System.nanoTime() - t0) / 1e6;
      t0 = System.nanoTime();
      for (int i = 0; i < BLOCK; i++) {
        net.fit(batches[step++ % batches.length]);
      }
      CurvatureEstimate e = probe.estimate(net, batches[step % batches.length]);
      probed[p] = (System.nanoTime() - t0) / 1e6;
      estimateMs[p] = e.costMs();
      evals[p] = e.gradientEvaluations();
      System.out.println("pair " + p + ": " + e);
    }
    double stepMs = median(plain) / BLOCK;
    double extraMs = median(probed) - median(plain);
    System.out.printf(Locale.ROOT, "params %d, OMP_NUM_THREADS=%s%n", net.numParams(),
        System.getenv("OMP_NUM_THREADS"));
    System.out.printf(Locale.ROOT, "step %.1f ms (median of %d blocks of %d)%n", stepMs, pairs, BLOCK);
    System.out.printf(Locale.ROOT,
        "estimate: %.0f ms (median cost), %.0f ms extra per block (paired), %s gradient evaluations%n",
        median(estimateMs), extraMs, Arrays.toString(evals));
    for (int every : new int[] {50, 100, 200, 500, 1000}) {
      System.out.printf(Locale.ROOT, "every %4d iterations: amortised step-time ratio %.3fx%n",
          every, 1 + extraMs / (every * stepMs));
    }
  }

  private static MultiLayerNetwork mlp() {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(1)
            .updater(new Adam(1e-3))
            .weightInit(WeightInit.XAVIER)
            .list()
            .layer(new DenseLayer.Builder().nIn(784).nOut(1024).activation(Activation.RELU).build())
            .layer(new DenseLayer.Builder().nIn(1024).nOut(1024).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nIn(1024)
                    .nOut(10)
                    .activation(Activation.SOFTMAX)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  private static DataSet randomBatch(Random r) {
    float[][] x = new float[128][784];
    float[][] y = new float[128][10];
    for (int i = 0; i < 128; i++) {
      for (int j = 0; j < 784; j++) {
        x[i][j] = r.nextFloat();
      }
      y[i][r.nextInt(10)] = 1;
    }
    INDArray f = Nd4j.createFromArray(x);
    return new DataSet(f, Nd4j.createFromArray(y));
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
  }
}
