package dev.traininghealth.agent.action;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checkpoints on disk, written with DL4J's {@link ModelSerializer} (parameters, configuration
 * and updater state, so a person can load one with {@code ModelSerializer.restore...}): named
 * ones are kept; unnamed ones ({@code iter-N}) are kept up to a number, oldest first out, except
 * the best. "Best" is the checkpoint with the lowest smoothed loss when it was taken; "latest" the
 * newest. Training thread only.
 */
final class Checkpoints {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");

  /** One checkpoint file. */
  static final class Entry {
    final String name;
    final Path file;
    final int iteration;
    final double loss;
    final boolean named;

    Entry(String name, Path file, int iteration, double loss, boolean named) {
      this.name = name;
      this.file = file;
      this.iteration = iteration;
      this.loss = loss;
      this.named = named;
    }
  }

  private final Path dir;
  private final int keep;
  private final List<Entry> entries = new ArrayList<>();

  Checkpoints(Path dir, int keep) {
    this.dir = dir;
    this.keep = keep;
  }

  static boolean validName(String name) {
    return NAME.matcher(name).matches() && !"best".equals(name) && !"latest".equals(name)
        && !FreshInit.FROM.equals(name);
  }

  Path dir() {
    return dir;
  }

  /** Writes the model; {@code name} empty for an unnamed checkpoint. */
  Entry save(Model m, String name, int iteration, double loss) throws IOException {
    boolean named = !name.isEmpty();
    String n = named ? name : "iter-" + iteration;
    Files.createDirectories(dir);
    Path file = dir.resolve(n + ".zip");
    Path tmp = dir.resolve(n + ".zip.tmp");
    ModelSerializer.writeModel(m, tmp.toFile(), true);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
      if (it.next().name.equals(n)) {
        it.remove();
      }
    }
    Entry e = new Entry(n, file, iteration, loss, named);
    entries.add(e);
    prune();
    return e;
  }

  private void prune() {
    Entry best = best();
    int unnamed = 0;
    for (Entry e : entries) {
      if (!e.named) {
        unnamed++;
      }
    }
    for (Iterator<Entry> it = entries.iterator(); it.hasNext() && unnamed > keep; ) {
      Entry e = it.next();
      if (!e.named && e != best) {
        it.remove();
        unnamed--;
        try {
          Files.deleteIfExists(e.file);
        } catch (IOException ignored) {
          // A file left behind costs disk, not correctness: it is no longer in the index.
        }
      }
    }
  }

  /** The lowest-loss checkpoint, or null. */
  Entry best() {
    Entry best = null;
    for (Entry e : entries) {
      if (Double.isFinite(e.loss) && (best == null || e.loss < best.loss)) {
        best = e;
      }
    }
    return best;
  }

  Entry latest() {
    return entries.isEmpty() ? null : entries.get(entries.size() - 1);
  }

  /**
   * {@code best}, {@code latest}, or a name: of this run, or a file of that name left in the
   * directory by an earlier run. Null when there is none.
   */
  Entry find(String from) {
    if ("best".equals(from)) {
      return best();
    }
    if ("latest".equals(from)) {
      return latest();
    }
    for (int i = entries.size() - 1; i >= 0; i--) {
      if (entries.get(i).name.equals(from)) {
        return entries.get(i);
      }
    }
    Path file = dir.resolve(from + ".zip");
    return Files.isRegularFile(file) ? new Entry(from, file, -1, Double.NaN, true) : null;
  }

  /** The parameters stored in {@code e}, for a network of {@code m}'s kind. */
  static INDArray readParams(Model m, Entry e) throws IOException {
    File f = e.file.toFile();
    if (m instanceof ComputationGraph) {
      return ModelSerializer.restoreComputationGraph(f, false).params();
    }
    if (m instanceof MultiLayerNetwork) {
      return ModelSerializer.restoreMultiLayerNetwork(f, false).params();
    }
    throw new IOException("unsupported model type " + m.getClass().getName());
  }

  int size() {
    return entries.size();
  }
}
