package io.layercake.blob;

/**
 * A fill not started because the data volume has no room for the blob (it is at
 * {@code layercake.storage.min-free}, or writing failed): the blob is served from upstream
 * without being stored.
 */
final class NoRoomToStore extends RuntimeException {
  private static final long serialVersionUID = 1L;

  NoRoomToStore(String reason) {
    super(reason);
  }
}
