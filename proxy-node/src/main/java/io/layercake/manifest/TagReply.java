package io.layercake.manifest;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.layercake.CborSerializable;
import io.layercake.oci.OciFailure;

/** What a {@link TagEntity} answers. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
    @JsonSubTypes.Type(value = TagReply.TagResolved.class, name = "resolved"),
    @JsonSubTypes.Type(value = TagReply.TagFailure.class, name = "failure")})
public sealed interface TagReply extends CborSerializable {

  /**
   * Where the tag points; the manifest is in the store.
   *
   * @param digest the manifest digest, {@code sha256:...}
   * @param mediaType its media type
   * @param stale true if upstream could not confirm it (down or rate-limited)
   * @param staleReason why it is stale, for the Warning header; null if fresh
   */
  record TagResolved(String digest, String mediaType, boolean stale, String staleReason)
      implements TagReply {}

  /**
   * The tag cannot be resolved.
   *
   * @param failure why, as the client must see it
   */
  record TagFailure(OciFailure failure) implements TagReply {}
}
