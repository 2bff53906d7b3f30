package dev.traininghealth.agent.curvature;

import org.nd4j.linalg.api.ndarray.INDArray;

/** D H D for a diagonal D (here P^-1/2): symmetric, with the eigenvalues of P^-1 H. */
final class PreconditionedOperator implements SymmetricOperator {
  private final SymmetricOperator h;
  private final INDArray d;
  private final INDArray scaled;

  /** @param scaled scratch vector of the operator's dimension */
  PreconditionedOperator(SymmetricOperator h, INDArray d, INDArray scaled) {
    this.h = h;
    this.d = d;
    this.scaled = scaled;
  }

  @Override
  public long dimension() {
    return h.dimension();
  }

  @Override
  public void apply(INDArray v, INDArray out) {
    scaled.assign(v).muli(d);
    h.apply(scaled, out);
    out.muli(d);
  }
}
