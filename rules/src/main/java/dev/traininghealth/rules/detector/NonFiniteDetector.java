package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.NonFinite;

/**
 * NaN or infinity in the loss, gradients, parameters or input: active from the first
 * {@code nonfinite} event (or an iteration whose loss is not finite) until an iteration with a
 * finite loss arrives, which is how a rollback or restart shows it recovered.
 */
public final class NonFiniteDetector implements Detector {
  static final DetectorSpec SPEC =
      DetectorSpec.of(
          "nonfinite",
          "NaN or infinity in the loss, gradients, parameters or input",
          java.util.List.of(),
          p -> new NonFiniteDetector());

  private Finding last = Finding.none();

  @Override
  public boolean ignores(EventType type) {
    return type != EventType.ITERATION && type != EventType.NONFINITE;
  }

  @Override
  public Finding onEvent(Event event) {
    switch (event.type()) {
      case NONFINITE:
        NonFinite n = (NonFinite) event;
        last =
            Finding.active(
                n.nanCount() + n.infCount(),
                n.where().wireName()
                    + (n.layer().isEmpty() ? "" : " " + n.layer())
                    + " has " + n.nanCount() + " NaN and " + n.infCount() + " inf at iteration "
                    + n.iter() + (n.batchIndex() >= 0 ? ", batch " + n.batchIndex() : ""));
        return last;
      case ITERATION:
        double loss = ((Iteration) event).loss();
        if (!Double.isFinite(loss)) {
          last = Finding.active(1, "loss is " + loss + " at iteration " + event.iter());
        } else if (last.active()) {
          last = Finding.clear();
        }
        return last;
      default:
        return last;
    }
  }
}
