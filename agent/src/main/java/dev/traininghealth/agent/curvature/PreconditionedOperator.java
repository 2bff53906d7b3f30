package dev.traininghealth.agent.curvature;

import org.nd4j.linalg.api.ndarray.INDArray;

/** D H D for a diagonal D (here P^-1/2): symmetric, with the eigenvalues of P^-1 H. */
final class PreconditionedOperator implements SymmetricOperator {
  private final SymmetricOperator h;
  private final INDArray d;
  private final INDArray scaled;

  PreconditionedOperator(SymmetricOperator h, INDArray d) {
    this.h = h;
    this.d = d;
    this.scaled = d.like();
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
