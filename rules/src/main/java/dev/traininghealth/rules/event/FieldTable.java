package dev.traininghealth.rules.event;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The fields the decoder knows in one kind of JSON object, each with a small number that indexes
 * {@link RecordFields}' slots, and the shape of its value where that is not a scalar. Fields not
 * in the table are skipped while reading. Filled once in a static initializer, read-only after.
 */
final class FieldTable {
  static final byte SCALAR = 0;
  /** An array of objects whose fields are those of {@link #items(int)}. */
  static final byte OBJECTS = 1;
  /** An array of integers. */
  static final byte INTS = 2;
  /** An object of scalars, read as strings. */
  static final byte STRING_MAP = 3;

  private final Map<String, Integer> ids = new HashMap<>();
  /**
   * The names again, by hash, open addressing: the lookup for every field of every record. The
   * parser hands out interned names, so the first comparison is usually one of identity.
   */
  private String[] byHash = new String[0];
  private int[] idByHash = new int[0];
  /** The names of {@link #byHash} as bytes, for the lookup of a name still in the record. */
  private byte[][] asciiByHash = new byte[0][];
  private byte[][] ascii = new byte[0][];
  private String[] names = new String[0];
  private byte[] shapes = new byte[0];
  private FieldTable[] items = new FieldTable[0];

  int scalar(String name) {
    return add(name, SCALAR, null);
  }

  int objects(String name, FieldTable itemFields) {
    return add(name, OBJECTS, itemFields);
  }

  int ints(String name) {
    return add(name, INTS, null);
  }

  int stringMap(String name) {
    return add(name, STRING_MAP, null);
  }

  private int add(String name, byte shape, FieldTable itemFields) {
    if (ids.containsKey(name)) {
      throw new IllegalStateException("field '" + name + "' declared twice");
    }
    int id = names.length;
    names = Arrays.copyOf(names, id + 1);
    shapes = Arrays.copyOf(shapes, id + 1);
    items = Arrays.copyOf(items, id + 1);
    names[id] = name;
    ascii = Arrays.copyOf(ascii, id + 1);
    ascii[id] = name.getBytes(StandardCharsets.ISO_8859_1);
    shapes[id] = shape;
    items[id] = itemFields;
    ids.put(name, id);
    rehash();
    return id;
  }

  private void rehash() {
    int capacity = Integer.highestOneBit(Math.max(4, names.length * 4));
    byHash = new String[capacity];
    asciiByHash = new byte[capacity][];
    idByHash = new int[capacity];
    for (int id = 0; id < names.length; id++) {
      int i = spread(names[id].hashCode()) & (capacity - 1);
      while (byHash[i] != null) {
        i = (i + 1) & (capacity - 1);
      }
      byHash[i] = names[id];
      asciiByHash[i] = names[id].getBytes(StandardCharsets.ISO_8859_1);
      idByHash[i] = id;
    }
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  /** The field's number, or -1 when the field is unknown. */
  int id(String name) {
    int mask = byHash.length - 1;
    for (int i = spread(name.hashCode()) & mask; ; i = (i + 1) & mask) {
      String k = byHash[i];
      if (k == null) {
        return -1;
      }
      if (k == name || k.equals(name)) {
        return idByHash[i];
      }
    }
  }

  /**
   * The number of the field whose name is the ASCII bytes {@code in[from, to)}, or -1. {@code
   * hash} is the name's {@link String#hashCode}, which for ASCII is the same sum over the bytes.
   */
  int id(byte[] in, int from, int to, int hash) {
    int mask = asciiByHash.length - 1;
    for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
      byte[] k = asciiByHash[i];
      if (k == null) {
        return -1;
      }
      if (Arrays.equals(k, 0, k.length, in, from, to)) {
        return idByHash[i];
      }
    }
  }

  /** The field's name as ASCII bytes. */
  byte[] ascii(int id) {
    return ascii[id];
  }

  int size() {
    return names.length;
  }

  String name(int id) {
    return names[id];
  }

  byte shape(int id) {
    return shapes[id];
  }

  /** The fields of the objects in the array field {@code id}. */
  FieldTable items(int id) {
    return items[id];
  }
}
