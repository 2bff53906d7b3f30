package dev.traininghealth.rules.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.Synthetic;
import dev.traininghealth.rules.event.Activations;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SilenceAndActivationDetectorsTest {
  private final Synthetic s = new Synthetic("j", 17);
  private static final long T = Synthetic.T0;

  @Test
  void stallFiresAfterTheTimeoutWhileHeartbeatsArrive() {
    Detector d = Runs.detector("stall", Map.of("timeout", "30s"));
    d.onEvent(s.iteration(1, 1, 1, java.util.List.of()));  // ts = T0 + 100
    d.onEvent(s.heartbeat(1, T + 20_000));
    assertFalse(d.onTick(T + 25_000).active());
    d.onEvent(s.heartbeat(1, T + 30_000));
    assertTrue(d.onTick(T + 30_100).active(), "30 s since the last iteration");
    assertFalse(d.onEvent(s.iteration(2, 1, 1, java.util.List.of())).active());
  }

  @Test
  void stallIsNotLostHeartbeat() {
    Detector d = Runs.detector("stall", Map.of("timeout", "30s"));
    d.onEvent(s.heartbeat(1, T));
    assertFalse(d.onTick(T + 120_000).active(), "no heartbeat for 2 minutes: that is silence");
  }

  @Test
  void heartbeatLostFiresAfterTimeoutOfSilenceAndNotAfterTheJobFinished() {
    Detector d = Runs.detector("heartbeat_lost", Map.of("timeout", "1m"));
    d.onEvent(s.heartbeat(1, T));
    assertFalse(d.onTick(T + 59_999).active());
    assertTrue(d.onTick(T + 60_000).active());
    assertFalse(d.onEvent(s.heartbeat(1, T + 61_000)).active());
    d.onEvent(s.finished(2));
    assertFalse(d.onTick(T + 1_000_000).active());
  }

  @Test
  void deadUnitsFireAboveHalfTheLayer() {
    Detector d = Runs.detector("dead_units", Map.of());
    assertFalse(d.onEvent(s.activations(50, 0.3, 0)).active());
    assertTrue(d.onEvent(s.activations(100, 0.7, 0)).active());
    assertEquals(0.7, d.onEvent(s.healthy(101)).value(), 1e-12, "keeps its finding in between");
  }

  @Test
  void blindInputsFireWhenALayerGivesMuchOfTheBatchNoPositiveUnit() {
    Detector d = Runs.detector("blind_inputs", Map.of("max_fraction", 0.4));
    assertFalse(d.onEvent(s.activations(50, 0.9, 0)).active(), "not measured: no finding");
    assertFalse(d.onEvent(blind(60, 0.2)).active(), "|x| fitted: only x = 0 sees no unit");
    Finding f = d.onEvent(blind(80, 0.6));
    assertTrue(f.active(), "both units face right: x <= 0 see none");
    assertEquals("60% of the batch gets no positive unit of layer 1 at iteration 80",
        f.evidence());
  }

  private Activations blind(long iter, double fraction) {
    return Activations.of(s.iteration(iter, 1, 1, java.util.List.of()).header(),
        java.util.List.of(Activations.LayerActivity.of("0", 0.1, Double.NaN),
            Activations.LayerActivity.relu("1", 0, fraction)));
  }

  @Test
  void saturationFiresAboveHalfTheLayer() {
    Detector d = Runs.detector("saturation", Map.of("max_fraction", 0.2));
    assertFalse(d.onEvent(s.activations(50, 0.9, 0.1)).active());
    assertTrue(d.onEvent(s.activations(100, 0, 0.3)).active());
  }
}
