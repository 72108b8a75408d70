package io.layercake.manifest;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.layercake.UpstreamName;
import io.layercake.cluster.ResentAsk;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import io.layercake.upstream.PullKind;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Resolves a tag through its {@link TagEntity}, wherever in the cluster it lives: the one way
 * both the registry's manifest endpoint and the admin verbs ask for a tag, so both get the same
 * single flight, freshness and stale-if-error answers. A fresh cached answer never reaches
 * upstream. The ask is sent again while unanswered ({@link ResentAsk}).
 */
public final class TagResolver {

  private final ActorSystem<?> system;
  private final Duration askTimeout;

  /** Resolves tags for the node running {@code system}, waiting up to {@code askTimeout} in all. */
  public TagResolver(ActorSystem<?> system, Duration askTimeout) {
    this.system = system;
    this.askTimeout = askTimeout;
  }

  /**
   * Where the tag points, as its entity answers; fails with the entity's failure (unknown tag,
   * upstream down with nothing cached) as an {@link io.layercake.oci.OciException}.
   */
  public CompletionStage<TagReply.TagResolved> resolve(UpstreamName upstream, RepositoryName repository, Tag tag) {
    return resolve(upstream, repository, tag, PullKind.USER);
  }

  /** The same, for {@code kind}: a manifest GET it needs may be refused by the pull budget. */
  public CompletionStage<TagReply.TagResolved> resolve(UpstreamName upstream, RepositoryName repository, Tag tag,
      PullKind kind) {
    return resolve(upstream, repository, tag, kind, 1);
  }

  /**
   * The same, for a request that stands for {@code pulls} client pulls: itself and those its node
   * answered from a fresh answer since it last asked, which tell the entity how hot the tag is.
   */
  public CompletionStage<TagReply.TagResolved> resolve(UpstreamName upstream, RepositoryName repository, Tag tag,
      PullKind kind, int pulls) {
    return ResentAsk.<TagEntity.Command, TagReply>ask(ClusterSharding.get(system)
            .entityRefFor(TagEntity.ENTITY_KEY, TagEntity.entityId(upstream, repository, tag)),
            replyTo -> new TagEntity.ResolveTag(replyTo, kind, pulls), askTimeout)
        .thenApply(reply -> {
          if (reply instanceof TagReply.TagFailure failure) {
            throw failure.failure().toException();
          }
          return (TagReply.TagResolved) reply;
        });
  }
}
