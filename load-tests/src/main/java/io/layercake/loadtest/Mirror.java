package io.layercake.loadtest;

import java.util.List;
import java.util.OptionalLong;

/** A system under test that serves the registry API on loopback: layercake or a peer. */
public interface Mirror extends AutoCloseable {

  /** The name in the report, such as {@code layercake (3 nodes)}. */
  String name();

  /** The base URLs clients may use, one per node; runners spread over them. */
  List<String> urls();

  /** The process whose memory the report reads, if there is one to read. */
  OptionalLong pid();

  /** Stops every process the mirror started. */
  @Override
  void close();
}
