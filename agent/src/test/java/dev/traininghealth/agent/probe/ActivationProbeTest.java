package dev.traininghealth.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class ActivationProbeTest {
  @Test
  void blindExamplesAreThoseOnWhichNoUnitIsPositive() {
    // Five examples x two units: both units "face right" (relu(x), relu(x - 1)) on x = -2..2,
    // so x = -2, -1 and 0 see no positive unit, while neither unit is dead.
    double[][] act = {{0, 0}, {0, 0}, {0, 0}, {1, 0}, {2, 1}};
    assertEquals(0.6, ActivationProbe.blindFraction(Nd4j.createFromArray(act)), 1e-6);
    assertEquals(0.0, ActivationProbe.deadFraction(Nd4j.createFromArray(act)), 1e-12);
  }

  @Test
  void aConvolutionExampleIsBlindOnlyWhenNoChannelIsPositiveAnywhere() {
    // [examples, channels, h, w]: example 0 has one positive position in channel 1.
    double[][][][] act = new double[2][3][2][2];
    act[0][1][1][0] = 0.5;
    assertEquals(0.5, ActivationProbe.blindFraction(Nd4j.createFromArray(act)), 1e-12);
  }
}
