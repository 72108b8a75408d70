package io.layercake.manifest;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.layercake.CborSerializable;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.OciFailure;

/** What a {@link TagEntity} answers. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
    @JsonSubTypes.Type(value = TagReply.TagResolved.class, name = "resolved"),
    @JsonSubTypes.Type(value = TagReply.TagFailure.class, name = "failure")})
public sealed interface TagReply extends CborSerializable {

  /**
   * Where the tag points, with the manifest itself, so that the asking node needs no second trip
   * to the owner or to upstream.
   *
   * @param digest the manifest digest, {@code sha256:...}
   * @param mediaType its media type
   * @param manifest its exact bytes
   * @param stale true if upstream could not confirm it (down or rate-limited)
   * @param staleReason why it is stale, for the Warning header; null if fresh
   * @param validatedAt when upstream last confirmed it, epoch milliseconds: a fresh answer may be
   *     reused without asking the entity until the tag TTL has passed since then
   */
  record TagResolved(String digest, String mediaType, byte[] manifest, boolean stale, String staleReason,
      long validatedAt) implements TagReply {

    static TagResolved fresh(ManifestContent content, long validatedAt) {
      return new TagResolved(content.digest().toString(), content.mediaType(), content.bytes(), false, null,
          validatedAt);
    }

    static TagResolved stale(ManifestContent content, String reason, long validatedAt) {
      return new TagResolved(content.digest().toString(), content.mediaType(), content.bytes(), true, reason,
          validatedAt);
    }

    /** The manifest as content. */
    public ManifestContent content() {
      return new ManifestContent(io.layercake.oci.Digest.parse(digest), mediaType, manifest);
    }
  }

  /**
   * The tag cannot be resolved.
   *
   * @param failure why, as the client must see it
   */
  record TagFailure(OciFailure failure) implements TagReply {}
}
