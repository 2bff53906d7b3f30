package dev.traininghealth.agent.action;

import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Recomputes the global mean and variance of a network's BatchNorm layers for its current
 * parameters, from the inputs of some batches: layer by layer, in order, so each layer sees the
 * already corrected statistics of the layers below (inference mode otherwise). Averaged weights
 * need this: the running statistics belong to the weights they were collected under.
 */
final class BatchNormStats {
  private BatchNormStats() {}

  static boolean present(Model m) {
    for (Layer l : ModelState.layers(m)) {
      if (l.conf().getLayer() instanceof BatchNormalization) {
        return true;
      }
    }
    return false;
  }

  /** Returns how many BatchNorm layers were updated. */
  static int recompute(MultiLayerNetwork net, List<INDArray> inputs) {
    Layer[] layers = net.getLayers();
    int done = 0;
    for (int i = 0; i < layers.length; i++) {
      if (!(layers[i].conf().getLayer() instanceof BatchNormalization)) {
        continue;
      }
      BatchNormalization conf = (BatchNormalization) layers[i].conf().getLayer();
      INDArray sum = null;
      INDArray sumSq = null;
      long n = 0;
      for (INDArray in : inputs) {
        // Index i of the list is the input of layer i (index 0 is the network's input).
        INDArray x = net.feedForwardToLayer(i, in, false).get(i).castTo(DataType.DOUBLE);
        int[] dims = reduceDims(x, conf);
        long count = x.length() / x.size(channelDim(x, conf));
        INDArray s = x.sum(dims);
        INDArray sq = x.mul(x).sum(dims);
        sum = sum == null ? s : sum.addi(s);
        sumSq = sumSq == null ? sq : sumSq.addi(sq);
        n += count;
      }
      INDArray mean = sum.divi(n);
      INDArray var = sumSq.divi(n).subi(mean.mul(mean));
      Transforms.max(var, 0.0, false);
      java.util.Map<String, INDArray> table = layers[i].paramTable();
      INDArray globalMean = table.get(BatchNormalizationParamInitializer.GLOBAL_MEAN);
      globalMean.assign(mean.reshape(globalMean.shape()).castTo(globalMean.dataType()));
      INDArray globalVar = table.get(BatchNormalizationParamInitializer.GLOBAL_VAR);
      if (globalVar != null) {
        globalVar.assign(var.reshape(globalVar.shape()).castTo(globalVar.dataType()));
      } else {
        INDArray logStd = table.get(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
        // DL4J stores log10(sqrt(var + eps)) when useLogStd is on.
        INDArray v = Transforms.log(Transforms.sqrt(var.addi(conf.getEps()), false), 10, false);
        logStd.assign(v.reshape(logStd.shape()).castTo(logStd.dataType()));
      }
      done++;
    }
    return done;
  }

  private static int channelDim(INDArray x, BatchNormalization conf) {
    if (x.rank() == 4 && conf.getCnn2DFormat() == CNN2DFormat.NHWC) {
      return 3;
    }
    return 1;
  }

  private static int[] reduceDims(INDArray x, BatchNormalization conf) {
    if (x.rank() == 2) {
      return new int[] {0};
    }
    if (x.rank() == 4) {
      return conf.getCnn2DFormat() == CNN2DFormat.NHWC ? new int[] {0, 1, 2} : new int[] {0, 2, 3};
    }
    throw new IllegalArgumentException("BatchNorm input of rank " + x.rank() + " not supported");
  }
}
