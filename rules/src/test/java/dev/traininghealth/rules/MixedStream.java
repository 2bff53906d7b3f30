package dev.traininghealth.rules;

import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.Activations;
import dev.traininghealth.rules.event.Curvature;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Heartbeat;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.JobFinished;
import dev.traininghealth.rules.event.JobStarted;
import dev.traininghealth.rules.event.LayerStats;
import dev.traininghealth.rules.event.NonFinite;
import dev.traininghealth.rules.event.Plateau;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One job's stream of every event type, 3,000 iterations long, in which every detector but the
 * silent ones finds something: a falling loss, a plateau with vanishing gradients, an
 * oscillation, spikes, NaN losses, gradient bursts, bad update ratios, two workers, negative
 * curvature and sharpness beyond 2/eta, dead and saturated layers.
 */
public final class MixedStream {
  private final Random random;
  private long seq;

  private MixedStream(long seed) {
    this.random = new Random(seed);
  }

  public static List<Event> events(long seed) {
    return new MixedStream(seed).events();
  }

  private Header header(long iter, String worker) {
    return Header.of("j", "r", seq++, 1_700_000_000_000L + 100 * iter, iter, 0, worker);
  }

  private List<Event> events() {
    List<Event> out = new ArrayList<>();
    out.add(JobStarted.builder(header(0, null)).updater("Sgd").learningRate(0.1)
        .totalParams(1_000).build());
    for (long t = 1; t <= 3_000; t++) {
      double loss = t < 800 ? 2.3 / (1 + t / 100.0)
          : t < 1_600 ? 0.5 * (1 + 0.002 * random.nextGaussian())
          : t < 2_200 ? (t % 2 == 0 ? 0.4 : 0.8)
          : 0.3 / (1 + (t - 2_200) / 50.0);
      if (t % 97 == 0) {
        loss *= 40; // a spike
      }
      if (t >= 2_500 && t < 2_520) {
        loss = Double.NaN;
      }
      double g = t >= 1_000 && t < 1_400 ? 1e-9
          : t % 300 < 5 ? 1e5
          : 1 + 0.1 * random.nextGaussian();
      List<LayerStats> layers = List.of(
          LayerStats.of("0", "W", g, 10, t % 400 < 30 ? 5 : 0.01),
          LayerStats.of("0", "b", g / 3, 1, 0.001),
          LayerStats.of("1", "W", t % 500 < 10 ? g / 1e4 : g, 10, 0.01));
      out.add(Iteration.builder(header(t, t % 3 == 0 ? "w" + t % 2 : null)).loss(loss)
          .learningRate(0.1).gradNorm(g).layers(layers).build());
      if (t % 25 == 0) {
        out.add(Activations.of(header(t, null), List.of(
            Activations.LayerActivity.of("0", t % 200 < 50 ? 0.9 : 0.1,
                t % 250 < 60 ? 0.8 : 0.1, 0.2),
            Activations.LayerActivity.of("1", Double.NaN, t % 300 < 60 ? 0.7 : 0.1))));
      }
      if (t % 50 == 0) {
        out.add(Curvature.builder(header(t, null)).lambdaMax(t % 150 == 0 ? 30 : 5)
            .lambdaMin(t % 100 == 0 ? -2 : 0.1).residualMin(1e-3).preconditionedMax(3)
            .build());
      }
      if (t % 100 == 0) {
        out.add(Heartbeat.of(header(t, null), "training", 0, ""));
      }
      if (t % 333 == 0) {
        out.add(NonFinite.of(header(t, null), NonFinite.Where.GRADIENT, "1", 3, 0, -1,
            List.of(), List.of(), ""));
        out.add(Plateau.of(header(t, null), 200, 1e-4, t - 200, 0.5));
        out.add(ActionResult.of(header(t, null), "c" + t, "lr_kick",
            ActionResult.Outcome.APPLIED, ""));
      }
    }
    out.add(JobFinished.of(header(3_001, null), "completed", "", 0));
    return out;
  }
}
