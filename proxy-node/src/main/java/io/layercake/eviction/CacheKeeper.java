package io.layercake.eviction;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import io.layercake.CborSerializable;
import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.BlobStore;
import io.layercake.storage.TagIndex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One per node: what the cluster-wide cache verbs ask of each node. It lists the node's blobs,
 * tags, pins and busy digests, removes tags and blobs, and records pins. Every node registers
 * with the receptionist under {@link #SERVICE_KEY}, so the node that received an admin request
 * reaches all of them, itself included, without HTTP or the cluster secret.
 */
public final class CacheKeeper extends AbstractBehavior<CacheKeeper.Command> {

  /** The receptionist key every node's keeper registers under. */
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "layercake-cache-keeper");

  /** Commands to a keeper. */
  public sealed interface Command extends CborSerializable {}

  /**
   * Lists the node's cache, one page at a time: page 0 takes a snapshot of the node's contents
   * under {@code snapshot} (kept for {@link #SNAPSHOT_LIFETIME}), later pages read from it. Pages
   * keep each message well under Akka remoting's 256 KiB frame, whatever the cache holds.
   */
  public record ListContents(String snapshot, int page, ActorRef<Contents> replyTo) implements Command {}

  /**
   * Removes tags and blobs from the node: each tag in {@code untag} from its tag index, each
   * digest in {@code digests} that it holds from its store (see {@link Evictor#remove}).
   *
   * @param reason an {@link EvictionReason} label
   */
  public record RemoveContent(List<TagEntry> untag, List<String> digests, String reason, boolean force,
      ActorRef<Removed> replyTo) implements Command {}

  /**
   * Records {@code pin}, or with a null pin removes the pin stored under {@code image}, its
   * {@link PinStore.Pin#key} (the field keeps its name: older nodes send it).
   */
  public record SetPin(String image, PinStore.Pin pin, ActorRef<PinSet> replyTo) implements Command {}

  private record Finished(Runnable reply) implements Command {}

  private record SnapshotTaken(ListContents request, Contents contents, Throwable error) implements Command {}

  private record ExpireSnapshot(String snapshot) implements Command {}

  /** Blobs, tags and pins per page: a page stays far below remoting's frame size. */
  static final int BLOBS_PER_PAGE = 500;
  /** A tag or pull entry may carry a 255-character repository and a 128-character tag. */
  static final int TAGS_PER_PAGE = 150;
  static final int PULLS_PER_PAGE = 150;
  static final int PINS_PER_PAGE = 20;
  /** How long a listing's snapshot is kept for its later pages. */
  static final Duration SNAPSHOT_LIFETIME = Duration.ofMinutes(2);

  /**
   * A node's cache, or one page of it.
   *
   * @param node the node's registry URL
   * @param blobs its committed blobs
   * @param tags its tag index
   * @param pulls the pulls of tags it answered
   * @param busy digests it is serving or filling now (on the first page)
   * @param pins its pins
   * @param last whether this is the last page
   * @param error why listing failed, or null
   */
  public record Contents(String node, List<BlobEntry> blobs, List<TagEntry> tags, List<PullEntry> pulls,
      List<String> busy, List<PinStore.Pin> pins, boolean last, String error) implements CborSerializable {

    /** A node of an earlier version, mid rolling upgrade, sends no pulls. */
    public Contents {
      pulls = pulls == null ? List.of() : pulls;
    }

    /** Page {@code page} of these contents. */
    Contents page(int page) {
      boolean lastPage = (page + 1) * BLOBS_PER_PAGE >= blobs.size() && (page + 1) * TAGS_PER_PAGE >= tags.size()
          && (page + 1) * PULLS_PER_PAGE >= pulls.size() && (page + 1) * PINS_PER_PAGE >= pins.size();
      return new Contents(node, slice(blobs, page, BLOBS_PER_PAGE), slice(tags, page, TAGS_PER_PAGE),
          slice(pulls, page, PULLS_PER_PAGE), page == 0 ? busy : List.of(), slice(pins, page, PINS_PER_PAGE),
          lastPage, null);
    }

    /** These contents followed by {@code next}'s. */
    Contents plus(Contents next) {
      return new Contents(node, concat(blobs, next.blobs), concat(tags, next.tags), concat(pulls, next.pulls),
          concat(busy, next.busy), concat(pins, next.pins), next.last, next.error);
    }

    private static <T> List<T> slice(List<T> list, int page, int size) {
      int from = Math.min(list.size(), page * size);
      return List.copyOf(list.subList(from, Math.min(list.size(), from + size)));
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
      return Stream.concat(first.stream(), second.stream()).toList();
    }
  }

  /**
   * A blob as listed.
   *
   * @param digest its digest
   * @param size bytes
   * @param mediaType a manifest's media type, or null
   * @param storedAt epoch milliseconds
   * @param lastAccess epoch milliseconds
   */
  public record BlobEntry(String digest, long size, String mediaType, long storedAt, long lastAccess)
      implements CborSerializable {}

  /**
   * A tag as listed.
   *
   * @param upstream the upstream's name
   * @param repository as cached, such as {@code library/redis}
   * @param tag the tag
   * @param digest the manifest it points at
   * @param validatedAt epoch milliseconds
   */
  public record TagEntry(UpstreamName upstream, String repository, String tag, String digest, long validatedAt)
      implements CborSerializable {}

  /**
   * A tag's pulls on the listing node (see {@link TagIndex#pulled}).
   *
   * @param upstream the upstream's name
   * @param repository as cached
   * @param tag the tag
   * @param pulls how many
   * @param lastPulled the latest, epoch milliseconds
   */
  public record PullEntry(UpstreamName upstream, String repository, String tag, long pulls, long lastPulled)
      implements CborSerializable {}

  /**
   * What a removal did on one node.
   *
   * @param node the node's registry URL
   * @param deleted the blobs deleted, with their sizes
   * @param kept digests it holds but kept: pinned or in use
   * @param untagged how many of the tags it had indexed
   * @param error why the removal failed, or null
   */
  public record Removed(String node, List<BlobEntry> deleted, List<String> kept, int untagged, String error)
      implements CborSerializable {}

  /**
   * Answer to {@link SetPin}.
   *
   * @param node the node's registry URL
   * @param changed whether a pin was added or removed
   * @param error why it failed, or null
   */
  public record PinSet(String node, boolean changed, String error) implements CborSerializable {}

  private final String nodeUrl;
  private final BlobStore store;
  private final TagIndex tags;
  private final Evictor evictor;
  private final Supplier<Set<Digest>> filling;
  private final Executor blockingExecutor;
  private final TimerScheduler<Command> timers;
  private final Map<String, Contents> snapshots = new HashMap<>();

  private CacheKeeper(ActorContext<Command> context, TimerScheduler<Command> timers, String nodeUrl,
      BlobStore store, TagIndex tags, Evictor evictor, Supplier<Set<Digest>> filling, Executor blockingExecutor) {
    super(context);
    this.timers = timers;
    this.nodeUrl = nodeUrl;
    this.store = store;
    this.tags = tags;
    this.evictor = evictor;
    this.filling = filling;
    this.blockingExecutor = blockingExecutor;
  }

  /** Starts this node's keeper and registers it with the receptionist. */
  public static void init(ActorSystem<?> system, String nodeUrl, BlobStore store, TagIndex tags, Evictor evictor,
      Supplier<Set<Digest>> filling, Executor blockingExecutor) {
    ActorRef<Command> keeper = system.systemActorOf(
        create(nodeUrl, store, tags, evictor, filling, blockingExecutor), "cache-keeper", Props.empty());
    system.receptionist().tell(Receptionist.register(SERVICE_KEY, keeper));
  }

  /** The keeper's behaviour. */
  public static Behavior<Command> create(String nodeUrl, BlobStore store, TagIndex tags, Evictor evictor,
      Supplier<Set<Digest>> filling, Executor blockingExecutor) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new CacheKeeper(context, timers, nodeUrl, store, tags, evictor, filling, blockingExecutor)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ListContents.class, this::onListContents)
        .onMessage(RemoveContent.class, this::onRemoveContent)
        .onMessage(SetPin.class, this::onSetPin)
        .onMessage(Finished.class, this::onFinished)
        .onMessage(SnapshotTaken.class, this::onSnapshotTaken)
        .onMessage(ExpireSnapshot.class, this::onExpireSnapshot)
        .build();
  }

  private Behavior<Command> onListContents(ListContents command) {
    if (command.page() == 0) {
      getContext().pipeToSelf(CompletableFuture.supplyAsync(this::contents, blockingExecutor),
          (contents, error) -> new SnapshotTaken(command, contents, error));
      return this;
    }
    Contents snapshot = snapshots.get(command.snapshot());
    command.replyTo().tell(snapshot == null
        ? failedListing("the listing expired before all its pages were read; retry")
        : snapshot.page(command.page()));
    return this;
  }

  private Behavior<Command> onSnapshotTaken(SnapshotTaken taken) {
    if (taken.error() != null) {
      taken.request().replyTo().tell(failedListing(String.valueOf(taken.error().getMessage())));
      return this;
    }
    Contents first = taken.contents().page(0);
    if (!first.last()) {
      snapshots.put(taken.request().snapshot(), taken.contents());
      timers.startSingleTimer(new ExpireSnapshot(taken.request().snapshot()), SNAPSHOT_LIFETIME);
    }
    taken.request().replyTo().tell(first);
    return this;
  }

  private Behavior<Command> onExpireSnapshot(ExpireSnapshot expire) {
    snapshots.remove(expire.snapshot());
    return this;
  }

  private Contents failedListing(String error) {
    return new Contents(nodeUrl, List.of(), List.of(), List.of(), List.of(), List.of(), true, error);
  }

  private Behavior<Command> onRemoveContent(RemoveContent command) {
    answer(CompletableFuture.supplyAsync(() -> remove(command), blockingExecutor), command.replyTo(),
        error -> new Removed(nodeUrl, List.of(), List.of(), 0, error));
    return this;
  }

  private Behavior<Command> onSetPin(SetPin command) {
    answer(CompletableFuture.supplyAsync(() -> setPin(command), blockingExecutor), command.replyTo(),
        error -> new PinSet(nodeUrl, false, error));
    return this;
  }

  private Behavior<Command> onFinished(Finished finished) {
    finished.reply().run();
    return this;
  }

  /** Blocking work runs on the blocking executor; its answer comes back through pipeToSelf. */
  private <T> void answer(CompletionStage<T> work, ActorRef<T> replyTo,
      Function<String, T> failure) {
    getContext().pipeToSelf(work, (result, error) -> new Finished(() -> replyTo.tell(
        error == null ? result : failure.apply(String.valueOf(error.getMessage())))));
  }

  private Contents contents() {
    List<BlobEntry> blobs = new ArrayList<>();
    store.index().forEach((digest, record) -> blobs.add(new BlobEntry(digest.toString(), record.size(),
        record.mediaType(), record.storedAt(), record.lastAccess())));
    List<TagEntry> tagEntries = tags.all().stream().map(tag -> new TagEntry(tag.upstream(), tag.repository(),
        tag.tag(), tag.record().digest(), tag.record().validatedAt())).toList();
    List<PullEntry> pulls = tags.pulls().stream()
        .map(p -> new PullEntry(p.upstream(), p.repository(), p.tag(), p.pulls(), p.lastPulled())).toList();
    List<String> busy = Stream.concat(filling.get().stream().map(Digest::toString),
        blobs.stream().map(BlobEntry::digest).filter(digest -> evictor.isBusy(Digest.parse(digest))))
        .distinct().toList();
    return new Contents(nodeUrl, blobs, tagEntries, pulls, busy, evictor.pins().all(), true, null);
  }

  private Removed remove(RemoveContent command) {
    int untagged = 0;
    for (TagEntry tag : command.untag()) {
      if (tags.remove(tag.upstream(), RepositoryName.parse(tag.repository()), tag.tag())) {
        untagged++;
      }
    }
    EvictionReason reason = EvictionReason.ofLabel(command.reason());
    List<BlobEntry> deleted = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (String text : command.digests()) {
      Digest digest = Digest.parse(text);
      long size = store.index().get(digest).map(r -> r.size()).orElse(0L);
      switch (evictor.remove(digest, reason, command.force())) {
        case DELETED -> deleted.add(new BlobEntry(text, size, null, 0, 0));
        case PINNED, IN_USE -> kept.add(text);
        default -> { }
      }
    }
    return new Removed(nodeUrl, deleted, kept, untagged, null);
  }

  private PinSet setPin(SetPin command) {
    if (command.pin() == null) {
      return new PinSet(nodeUrl, evictor.pins().unpin(command.image()), null);
    }
    evictor.pins().pin(command.pin());
    return new PinSet(nodeUrl, true, null);
  }
}
