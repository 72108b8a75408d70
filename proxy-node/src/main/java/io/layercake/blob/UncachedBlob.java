package io.layercake.blob;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import akka.util.ByteString;

/**
 * A blob streamed from upstream to one client without being stored: its size, and its bytes,
 * verified as they stream. Run the body once, or call {@code discard}.
 *
 * @param size its length, from upstream's Content-Length
 * @param body the bytes
 * @param discard frees the upstream connection if the body is not wanted after all
 */
public record UncachedBlob(long size, Source<ByteString, NotUsed> body, Runnable discard) {}
