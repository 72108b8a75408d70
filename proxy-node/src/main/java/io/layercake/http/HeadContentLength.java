package io.layercake.http;

import akka.http.scaladsl.model.headers.CustomHeader;

/**
 * {@code Content-Length} on a response to HEAD. Akka HTTP never renders an entity's length for
 * HEAD (akka/akka-http#4481), but clients rely on it: containerd and dockerd resolve a manifest's
 * size with HEAD, and a HEAD must carry the headers its GET would (RFC 9110 §9.3.2).
 */
final class HeadContentLength extends CustomHeader {

  private final long length;

  HeadContentLength(long length) {
    this.length = length;
  }

  @Override
  public String name() {
    return "Content-Length";
  }

  @Override
  public String value() {
    return Long.toString(length);
  }

  @Override
  public boolean renderInRequests() {
    return false;
  }

  @Override
  public boolean renderInResponses() {
    return true;
  }
}
