package io.layercake.archive;

import io.layercake.oci.Digest;
import java.util.Optional;

/**
 * An archive whose members have all been read and checked, and wait (in memory, in temp files,
 * or already on the node) for a load to commit them: what {@link ArchivePlanner} plans from.
 */
public interface StagedArchive {

  /** A member's content as the plan sees it. */
  interface Member {
    /** The content's digest. */
    Digest digest();

    /** The content's length in bytes. */
    long size();

    /** Whether the content is already in memory (a small JSON file), so reading it costs no more heap. */
    default boolean inMemory() {
      return false;
    }
  }

  /** The JSON file {@code name} at the archive's top, if it has one. */
  Optional<byte[]> json(String name);

  /** Whether the archive has a file at {@code path}, following links. */
  boolean hasMember(String path);

  /** The file at {@code path}, following links; refuses the archive if there is none. */
  Member member(String path);

  /** Whether the archive or the node holds {@code digest}. */
  boolean has(Digest digest);

  /** The archive's member with this digest. */
  Optional<Member> content(Digest digest);

  /** The archive's member with this digest, or else the node's copy, kept until the load is tagged. */
  Optional<Member> contentOrHeld(Digest digest);

  /** A member's whole content (a manifest, whose size the caller has checked). */
  byte[] bytes(Member member);

  /** A member's first {@code count} bytes. */
  byte[] head(Member member, int count);
}
