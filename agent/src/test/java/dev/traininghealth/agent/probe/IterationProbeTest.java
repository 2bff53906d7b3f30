package dev.traininghealth.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.agent.transport.EventSink;
import dev.traininghealth.rules.event.Activations;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Heartbeat;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.LayerStats;
import dev.traininghealth.rules.event.NonFinite;
import dev.traininghealth.zoo.HealthyMlp;
import dev.traininghealth.zoo.NanBatch;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class IterationProbeTest {
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final EventSink sink =
      new EventSink() {
        @Override
        public boolean offer(Event e) {
          events.add(e);
          return true;
        }

        @Override
        public long dropped() {
          return 0;
        }

        @Override
        public void close() {}
      };

  @AfterEach
  void noFaults() {
    IterationProbe.faultHook = null;
  }

  private final List<HealthListener> listeners = new CopyOnWriteArrayList<>();

  private HealthListener listener(String tier) {
    return remember(HealthListener.create(
        AgentConfig.builder().job("probe-test").heartbeatIntervalMs(0).probes(tier).build(), sink));
  }

  private HealthListener remember(HealthListener l) {
    listeners.add(l);
    return l;
  }

  /**
   * The events of one type, after closing the test's listeners: the last iteration's event may
   * wait for its step norms (measured on a helper thread) until the next forward pass or close.
   */
  @SuppressWarnings("unchecked")
  private <T extends Event> List<T> ofType(Class<T> t) {
    listeners.forEach(HealthListener::close);
    return (List<T>) events.stream().filter(t::isInstance).toList();
  }

  @Test
  void perLayerNormsMatchAnIndependentComputationInNetworkOrder() {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork net = job.network(7);
    DataSet first = job.data(7).next();
    MultiLayerNetwork copy = net.clone();
    copy.setInput(first.getFeatures());
    copy.setLabels(first.getLabels());
    copy.computeGradientAndScore();
    Map<String, INDArray> grads = copy.gradient().gradientForVariable();
    Map<String, INDArray> before = net.paramTable(true);
    Map<String, INDArray> beforeCopy = new java.util.LinkedHashMap<>();
    before.forEach((k, v) -> beforeCopy.put(k, v.dup()));

    net.addListeners(listener("thorough"));
    net.fit(first);

    Iteration it = ofType(Iteration.class).get(0);
    List<String> keys = it.layers().stream().map(l -> l.layer() + "_" + l.param()).toList();
    assertEquals(List.of("0_W", "0_b", "1_W", "1_b"), keys, "network order");
    double globalSq = 0;
    for (LayerStats l : it.layers()) {
      String key = l.layer() + "_" + l.param();
      double g = grads.get(key).norm2Number().doubleValue() / first.numExamples();
      double p = net.paramTable().get(key).norm2Number().doubleValue();
      double u = beforeCopy.get(key).sub(net.paramTable().get(key)).norm2Number().doubleValue();
      assertEquals(g, l.gradNorm(), g * 1e-5 + 1e-12, key + " gradient");
      assertEquals(p, l.paramNorm(), p * 1e-5, key + " parameters");
      assertEquals(u, l.updateNorm(), u * 1e-4 + 1e-9, key + " update");
      globalSq += l.gradNorm() * l.gradNorm();
    }
    assertEquals(Math.sqrt(globalSq), it.gradNorm(), 1e-9);
  }

  @Test
  void cheapTierMeasuresStepNormsEveryTenthIteration() {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork net = job.network(1);
    net.addListeners(listener("cheap"));
    job.train(net, 1);
    for (Iteration it : ofType(Iteration.class)) {
      assertTrue(it.gradNorm() > 0);
      assertEquals(it.iter() % 10 == 0, Double.isFinite(it.updateNorm()), "iter " + it.iter());
    }
  }

  @Test
  void namesTheBadRowsColumnsAndFingerprintOfANanBatch() {
    NanBatch job = new NanBatch();
    MultiLayerNetwork net = job.network(3);
    net.addListeners(listener("cheap"));
    job.train(net, 3);

    List<NonFinite> input =
        ofType(NonFinite.class).stream().filter(n -> n.where() == NonFinite.Where.INPUT).toList();
    assertEquals(1, input.size(), "only batch " + NanBatch.BAD_BATCH + " is bad");
    NonFinite n = input.get(0);
    assertEquals(NanBatch.BAD_BATCH, n.iter());
    assertEquals(NanBatch.BAD_BATCH, n.batchIndex());
    assertEquals(List.of(5, 6), n.rows());
    assertEquals(List.of(3, 7), n.cols());
    assertEquals(4, n.nanCount());

    DataSetIterator data = job.data(3);
    DataSet previous = null;
    DataSet bad = null;
    for (int i = 0; i <= NanBatch.BAD_BATCH; i++) {
      previous = bad;
      bad = data.next();
    }
    assertEquals(NonFiniteScan.fingerprint(bad.getFeatures(), bad.getLabels()), n.fingerprint());
    assertNotEquals(
        NonFiniteScan.fingerprint(previous.getFeatures(), previous.getLabels()), n.fingerprint());

    // The NaN then spreads: gradient and parameters of that same iteration are reported too.
    List<NonFinite.Where> wheres = ofType(NonFinite.class).stream().map(NonFinite::where).toList();
    assertTrue(wheres.containsAll(List.of(NonFinite.Where.LOSS, NonFinite.Where.GRADIENT,
        NonFinite.Where.PARAMETER)), wheres.toString());
    ofType(NonFinite.class).forEach(e -> assertEquals(NanBatch.BAD_BATCH, e.iter()));
  }

  @Test
  void reportsNanInLabelsAsLabels() {
    HealthyMlp job = new HealthyMlp();
    DataSet all = job.data(2).next(); // one batch of 32
    all.getLabels().putScalar(4, 1, Double.NaN);
    MultiLayerNetwork net = job.network(2);
    net.addListeners(listener("cheap"));
    net.fit(all);
    NonFinite label =
        ofType(NonFinite.class).stream().filter(n -> n.where() == NonFinite.Where.LABEL)
            .findFirst().orElseThrow();
    assertEquals(List.of(4), label.rows());
    assertEquals(List.of(1), label.cols());
    assertTrue(ofType(NonFinite.class).stream().noneMatch(n -> n.where() == NonFinite.Where.INPUT));
  }

  @Test
  void flagsDeadReluUnitsAndNotHealthyOnes() {
    MultiLayerNetwork dead =
        new MultiLayerNetwork(
            new NeuralNetConfiguration.Builder().seed(1).updater(new Sgd(0.01)).list()
                .layer(new DenseLayer.Builder().nIn(20).nOut(16).activation(Activation.RELU)
                    .biasInit(-100).build())
                .layer(new DenseLayer.Builder().nIn(16).nOut(16).activation(Activation.RELU)
                    .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(16).nOut(1)
                    .activation(Activation.IDENTITY).build())
                .build());
    dead.init();
    dead.addListeners(remember(HealthListener.create(
        AgentConfig.builder().job("dead").heartbeatIntervalMs(0).activationsEvery(1).build(),
        sink)));
    dead.fit(new DataSet(Nd4j.rand(32, 20), Nd4j.rand(32, 1)));
    Activations a = ofType(Activations.class).get(0);
    assertEquals(1.0, a.layers().get(0).deadFraction(), 1e-9, "bias -100 kills layer 0");
    assertEquals(1.0, a.layers().get(0).blindFraction(), 1e-9, "and blinds it to every example");

    events.clear();
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork healthy = job.network(1);
    healthy.addListeners(remember(HealthListener.create(
        AgentConfig.builder().job("ok").heartbeatIntervalMs(0).activationsEvery(5).build(),
        sink)));
    job.train(healthy, 1);
    for (Activations h : ofType(Activations.class)) {
      assertTrue(h.layers().get(0).deadFraction() < 0.5, "healthy: " + h.layers().get(0)
          .deadFraction());
    }
    assertFalse(ofType(Activations.class).isEmpty());
  }

  @Test
  void aFailingProbeIsTurnedOffAndReportedWhileTrainingGoesOnUnchanged() {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork plain = job.run(9);
    IterationProbe.faultHook = probe -> {
      if (probe.equals(IterationProbe.NORMS)) {
        throw new IllegalStateException("injected");
      }
    };
    MultiLayerNetwork net = job.network(9);
    net.addListeners(listener("thorough"));
    job.train(net, 9);

    assertEquals(plain.params(), net.params(), "training unaffected");
    List<Heartbeat> degraded =
        ofType(Heartbeat.class).stream().filter(h -> h.phase().equals("degraded")).toList();
    assertEquals(1, degraded.size());
    assertTrue(degraded.get(0).message().contains("'norms'"), degraded.get(0).message());
    assertTrue(degraded.get(0).message().contains("injected"));
    List<Iteration> its = ofType(Iteration.class);
    assertEquals(net.getIterationCount(), its.size(), "iterations still reported");
    assertTrue(Double.isNaN(its.get(its.size() - 1).gradNorm()), "norms off after the failures");
    assertTrue(Double.isFinite(its.get(its.size() - 1).loss()), "the loss is still measured");
  }
}
