package io.layercake.eviction;

import java.util.Locale;

/** Why a blob was removed from a node's store. */
public enum EvictionReason {
  /** The store passed its high-water mark; least recently used first. */
  SIZE,
  /** The store passed its high-water mark and the blob's shard belongs to another node. */
  NOT_OWNER,
  /** An age rule's {@code unused-for}. */
  UNUSED_FOR,
  /** An age rule's {@code max-age}. */
  MAX_AGE,
  /** {@code layercake prune}. */
  PRUNE,
  /** {@code layercake rmi}. */
  RMI;

  /** The reason as metrics and JSON name it: {@code size}, {@code not-owner}, {@code unused-for}, ... */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The reason named by {@link #label()}. */
  public static EvictionReason ofLabel(String label) {
    for (EvictionReason reason : values()) {
      if (reason.label().equals(label)) {
        return reason;
      }
    }
    throw new IllegalArgumentException("unknown eviction reason '" + label + "'");
  }
}
