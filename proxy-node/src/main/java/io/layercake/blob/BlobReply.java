package io.layercake.blob;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.layercake.CborSerializable;
import io.layercake.Failures;
import io.layercake.oci.OciFailure;

/**
 * What a {@link BlobEntity} answers. A failure carries its OCI error code rather than travelling
 * as a {@code StatusReply} error, whose message-only form would lose the status and Retry-After
 * that the client must see.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
    @JsonSubTypes.Type(value = BlobReply.BlobLocation.class, name = "location"),
    @JsonSubTypes.Type(value = BlobReply.BlobFailure.class, name = "failure"),
    @JsonSubTypes.Type(value = BlobReply.BlobAbsent.class, name = "absent"),
    @JsonSubTypes.Type(value = BlobReply.BlobUncached.class, name = "uncached")})
public sealed interface BlobReply extends CborSerializable {

  /**
   * The blob can be read on the owner node.
   *
   * @param size the blob's size in bytes
   * @param complete true if it is committed; false if it is still filling
   * @param ownerUrl the advertised registry URL of the node that holds it
   */
  record BlobLocation(long size, boolean complete, String ownerUrl) implements BlobReply {}

  /**
   * The blob cannot be had now.
   *
   * @param failure why, as the client must see it
   */
  record BlobFailure(OciFailure failure) implements BlobReply {

    /** A failure for any throwable, unwrapped from its future's wrappers. */
    public static BlobFailure of(Throwable error) {
      return new BlobFailure(OciFailure.of(Failures.unwrap(error)));
    }
  }

  /**
   * The owner node neither holds the blob nor is filling it, and nothing was started: the answer
   * to {@link BlobEntity.LocateBlob}, after which the asker may ask upstream itself.
   *
   * @param ownerUrl the advertised registry URL of the owner node that was asked
   */
  record BlobAbsent(String ownerUrl) implements BlobReply {}

  /**
   * The owner has no room to store the blob (its data volume is at min-free): the asker streams it
   * from upstream to its client, verified, without storing it anywhere.
   *
   * @param reason why, for the log
   */
  record BlobUncached(String reason) implements BlobReply {}
}
