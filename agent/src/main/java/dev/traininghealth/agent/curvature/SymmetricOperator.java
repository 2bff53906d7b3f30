package dev.traininghealth.agent.curvature;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A symmetric linear map on rank-1 vectors of one length, applied without forming its matrix. */
interface SymmetricOperator {
  long dimension();

  /** Writes the image of {@code v} into {@code out}; {@code v} is left unchanged. */
  void apply(INDArray v, INDArray out);
}
