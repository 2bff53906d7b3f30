package dev.traininghealth.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.JobFinished;
import dev.traininghealth.rules.event.JobStarted;
import dev.traininghealth.rules.event.NonFinite;
import dev.traininghealth.zoo.HealthyMlp;
import dev.traininghealth.zoo.NanBatch;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

class HealthListenerTest {
  private static final AgentConfig CONFIG =
      AgentConfig.builder().job("test-job").heartbeatIntervalMs(0).build();

  @Test
  void doesNotChangeTheTrainingTrajectory() {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork plain = job.run(11);

    MultiLayerNetwork watched = job.network(11);
    watched.addListeners(HealthListener.create(CONFIG, new CollectingSink()));
    job.train(watched, 11);

    assertEquals(plain.params(), watched.params());
  }

  @Test
  void reportsStartOneEventPerIterationAndFinish() {
    HealthyMlp job = new HealthyMlp();
    CollectingSink sink = new CollectingSink();
    MultiLayerNetwork net = job.network(1);
    HealthListener listener = HealthListener.create(CONFIG, sink);
    net.addListeners(listener);
    job.train(net, 1);
    listener.close();

    assertInstanceOf(JobStarted.class, sink.events.get(0));
    JobStarted started = (JobStarted) sink.events.get(0);
    assertEquals("MultiLayerNetwork", started.modelClass());
    assertEquals(net.numParams(), started.totalParams());
    assertEquals("Adam", started.updater());
    assertEquals(1e-2, started.learningRate(), 1e-12);
    assertEquals(2, started.layers().size());

    List<Iteration> its = sink.ofType(Iteration.class);
    assertEquals(net.getIterationCount(), its.size());
    for (int i = 0; i < its.size(); i++) {
      assertEquals(i, its.get(i).iter());
      assertTrue(Double.isFinite(its.get(i).loss()));
      assertTrue(its.get(i).gradNorm() > 0);
      assertEquals(32, its.get(i).batchSize());
    }
    assertTrue(sink.ofType(NonFinite.class).isEmpty());
    assertInstanceOf(JobFinished.class, sink.events.get(sink.events.size() - 1));
    assertTrue(sink.closed);
    // seq counts every event of the run from 0 without gaps
    for (int i = 0; i < sink.events.size(); i++) {
      assertEquals(i, sink.events.get(i).header().seq());
    }
  }

  @Test
  void gradientNormIsTheRawGradientBeforeTheUpdater() {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork net = job.network(5);
    DataSet first = job.data(5).next();
    MultiLayerNetwork copy = net.clone();
    copy.setInput(first.getFeatures());
    copy.setLabels(first.getLabels());
    copy.computeGradientAndScore();
    // computeGradientAndScore sums over the batch; the event reports the mean loss's gradient.
    double expected = copy.gradient().gradient().norm2Number().doubleValue() / 32;

    CollectingSink sink = new CollectingSink();
    HealthListener listener = HealthListener.create(CONFIG, sink);
    net.addListeners(listener);
    net.fit(first);
    listener.close();

    double reported = sink.ofType(Iteration.class).get(0).gradNorm();
    assertEquals(expected, reported, expected * 1e-5);
  }

  @Test
  void namesTheIterationAndBatchWhereTheLossTurnsNan() {
    NanBatch job = new NanBatch();
    CollectingSink sink = new CollectingSink();
    MultiLayerNetwork net = job.network(2);
    HealthListener listener = HealthListener.create(CONFIG, sink);
    net.addListeners(listener);
    job.train(net, 2);
    listener.close(); // the last iteration's event may wait for its step norms until then

    List<NonFinite> nf =
        sink.ofType(NonFinite.class).stream().filter(n -> n.where() == NonFinite.Where.LOSS)
            .toList();
    assertEquals(1, nf.size(), "one event where the loss turned NaN, not one per iteration");
    assertEquals(NanBatch.BAD_BATCH, nf.get(0).iter());
    assertEquals(NanBatch.BAD_BATCH, nf.get(0).batchIndex());
    assertEquals(NonFinite.Where.LOSS, nf.get(0).where());
    assertFalse(Double.isFinite(sink.ofType(Iteration.class).get(NanBatch.BAD_BATCH).loss()));
  }

  @Test
  void runsBoundaryTasksAfterTheIterationAndTurnsOffOneThatKeepsFailing() {
    HealthyMlp job = new HealthyMlp();
    CollectingSink sink = new CollectingSink();
    List<Long> seen = new java.util.ArrayList<>();
    BoundaryTask counting = new BoundaryTask() {
      @Override
      public String name() {
        return "counting";
      }

      @Override
      public void atBoundary(org.deeplearning4j.nn.api.Model m, int iteration, int epoch,
          Emitter out) {
        // the iteration's own event is already out when a task runs
        assertEquals(iteration, sink.ofType(Iteration.class).get(iteration).iter());
        seen.add((long) iteration);
      }
    };
    BoundaryTask failing = new BoundaryTask() {
      @Override
      public String name() {
        return "failing";
      }

      @Override
      public void atBoundary(org.deeplearning4j.nn.api.Model m, int iteration, int epoch,
          Emitter out) {
        throw new IllegalStateException("boom " + iteration);
      }
    };
    MultiLayerNetwork net = job.network(6);
    net.addListeners(HealthListener.create(CONFIG, sink, counting, failing));
    job.train(net, 6);

    assertEquals(net.getIterationCount(), seen.size());
    List<dev.traininghealth.rules.event.Heartbeat> degraded =
        sink.ofType(dev.traininghealth.rules.event.Heartbeat.class);
    assertEquals(1, degraded.size());
    assertTrue(degraded.get(0).message().contains("'failing'"), degraded.get(0).message());
    assertEquals(job.run(6).params(), net.params(), "the failing task did not touch training");
  }
}
