package dev.traininghealth.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.traininghealth.rules.event.Activations.LayerActivity;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

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

  @Test
  void aOneTwoOneReluNetWithBothUnitsFacingRightIsBlindToTheLeftHalf() {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
        .layer(new DenseLayer.Builder().nIn(1).nOut(2).activation(Activation.RELU).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(1)
            .activation(Activation.IDENTITY).build())
        .build());
    net.init();
    // relu(x) and relu(x - 1): the zoo's |x| net in its 0.40 basin.
    net.getLayer(0).setParam("W", Nd4j.createFromArray(new float[][] {{1, 1}}));
    net.getLayer(0).setParam("b", Nd4j.createFromArray(new float[][] {{0, -1}}));
    INDArray x = Nd4j.createFromArray(new float[][] {{-2}, {-1}, {0}, {1}, {2}})
        .castTo(DataType.FLOAT);
    List<LayerActivity> m = ActivationProbe.measure(net, new INDArray[] {x});
    assertEquals(1, m.size(), "only the ReLU layer has these statistics");
    assertEquals(0.6, m.get(0).blindFraction(), 1e-6);
    assertEquals(0.0, m.get(0).deadFraction(), 1e-6);
  }
}
