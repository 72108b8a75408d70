package io.layercake.manifest;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import io.layercake.CborSerializable;
import io.layercake.Failures;
import io.layercake.ThrottledLog;
import io.layercake.UpstreamName;
import io.layercake.cluster.SelfPassivation;
import io.layercake.cluster.ShardAllocation;
import io.layercake.metrics.NodeMetrics;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.OciException;
import io.layercake.oci.OciFailure;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import io.layercake.storage.TagIndex;
import io.layercake.storage.TagRecord;
import io.layercake.upstream.PullKind;
import io.layercake.upstream.UpstreamManifestHead;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * Revalidation: a tag fetched or confirmed less than tag-ttl ago is served from the store
 * without a word to upstream. After that, one HEAD asks upstream where the tag points (a HEAD
 * does not count against Docker Hub's pull limit). The same digest only renews the tag; a new
 * digest costs one GET of the new manifest.
 *
 * Stale serving: if upstream is down, times out or rate-limits us, a tag we already know is
 * served as it was, marked stale so that the client gets a Warning header. A tag upstream says
 * is gone (404) is not served stale: that is an answer, not an outage.
 *
 * One resolution at a time: requests that arrive while upstream is being asked wait in
 * `waiters` and all get the one answer, so a burst of pulls of node:20 makes one upstream call.
 *
 * History: TagResolved events keep every digest the tag pointed at and when.
 *
 * Predictive refresh (layercake.manifests.refresh): the entity counts the pulls of its tag, its
 * own requests plus those that nodes answered from their fresh answers (FreshTags reports them
 * with the node's next request). A tag pulled hot-pulls times within hot-window is hot: lead-time
 * before its TTL ends, the entity asks upstream with a HEAD, which is free. The same digest
 * renews the tag, so the fleet's next pull finds it fresh; a new one is fetched at once (a
 * refresh pull, within the budget) and TagMoves hears of it, which starts the fills of its blobs;
 * the entity serves the new manifest once they have started, so clients join them. The
 * entity lives on one node, so a tag is refreshed once per cluster. Refreshes stop when the tag
 * cools down, when the pull budget is low, and while a client's request is being answered.
 *
 * Lifecycle, so that memory stays bounded whatever tags clients send: a resolution that fails
 * (upstream's 404, or an outage with nothing cached to serve stale) passivates the entity at
 * once; it persisted nothing, since only answers (TagResolved, TagRevalidated) are journaled, so
 * random tags leave no trace. Otherwise it passivates after layercake.manifests.idle-timeout
 * without a request (a receive timeout, longer than tag-ttl so that a tag in use keeps its entity
 * across revalidations; Akka's own idle passivation is off for this type). Passivation and
 * hand-off stop it with Stop, which waits until the requests in progress are answered
 * (cluster.SelfPassivation), so a request that slipped in just before the shard heard
 * "passivate" is not lost.
 */

/** The sharded entity for one tag of one upstream repository. */
public final class TagEntity
    extends EventSourcedBehavior<TagEntity.Command, TagEntity.Event, TagEntity.State> {

  /**
   * The sharding key. Entity ids are {@code <upstream>/<repository>:<tag>}: upstream names have
   * no slash and repository names no colon, so the id splits back unambiguously.
   */
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Tag");

  /** Commands to a tag entity. */
  public sealed interface Command extends CborSerializable {}

  /**
   * Resolves the tag to a stored manifest, asking upstream if the cached answer is too old. The
   * kind says whom a manifest GET would be for (null from an older node: a client).
   */
  public record ResolveTag(ActorRef<TagReply> replyTo, PullKind kind, Integer pulls) implements Command {

    /** A request for one pull of {@code kind}. */
    public ResolveTag(ActorRef<TagReply> replyTo, PullKind kind) {
      this(replyTo, kind, 1);
    }

    /**
     * The client pulls this request stands for: itself, and those its node answered from a fresh
     * answer since it last asked (null from an older node: one).
     */
    int pullCount() {
      return kind == PullKind.PREWARM || kind == PullKind.REFRESH ? 0 : pulls == null ? 1 : Math.max(1, pulls);
    }
  }

  /**
   * Points the tag at a manifest from an image archive ({@code layercake load}), as if upstream
   * had just answered with it: the same {@link TagResolved} event, validated now. The manifest
   * travels with the command so that the entity's node holds it whichever node loaded it.
   */
  public record LoadTag(String digest, String mediaType, byte[] manifest, ActorRef<TagReply> replyTo)
      implements Command {}

  private record LoadKept(LoadTag command, Throwable error) implements Command {}

  private record Checked(Optional<ManifestContent> local, Throwable error) implements Command {}

  private record HeadAnswered(UpstreamManifestHead head, Throwable error) implements Command {}

  private record Fetched(ManifestContent manifest, Throwable error) implements Command {}

  private record PeersAnswered(Optional<Manifests.KnownTag> known, Throwable error) implements Command {}

  /** A hot tag's TTL is about to end. */
  private enum RefreshDue implements Command { INSTANCE }

  private record RefreshHead(UpstreamManifestHead head, Throwable error) implements Command {}

  private record Refreshed(ManifestContent manifest, Throwable error) implements Command {}

  private record Prefetched(ManifestContent manifest, Throwable error) implements Command {}

  /** No request for idle-timeout. */
  private enum Idle implements Command { INSTANCE }

  /** From the shard: passivation or hand-off; sent again by the entity itself once it is idle. */
  private enum Stop implements Command { INSTANCE }

  /** Events of a tag's history. */
  public sealed interface Event extends CborSerializable {}

  /**
   * The tag was found pointing at a manifest (first fetch, or a change upstream).
   *
   * @param digest the manifest digest
   * @param mediaType its media type
   * @param at epoch milliseconds
   */
  public record TagResolved(String digest, String mediaType, long at) implements Event {}

  /**
   * Upstream confirmed the tag still points at the same manifest.
   *
   * @param at epoch milliseconds
   */
  public record TagRevalidated(long at) implements Event {}

  /**
   * What the journal knows of the tag. It is also the entity's snapshot: with the history in it,
   * events older than the snapshots are deleted and the tag's story survives them.
   *
   * @param digest the current manifest digest, or null if never resolved
   * @param mediaType its media type
   * @param validatedAt when upstream last confirmed it, epoch milliseconds
   * @param history the manifests the tag pointed at, oldest first, at most
   *     {@code layercake.manifests.history-depth} of them
   */
  public record State(String digest, String mediaType, long validatedAt, List<Period> history)
      implements CborSerializable {
    /** A tag never resolved on this node. */
    public static final State EMPTY = new State(null, null, 0, List.of());

    /** The history, never null. */
    @Override
    public List<Period> history() {
      return history == null ? List.of() : history;
    }

    /** This state after {@code event}, keeping the newest {@code depth} periods of history. */
    public State apply(Event event, int depth) {
      if (event instanceof TagResolved resolved) {
        List<Period> periods = new ArrayList<>(history());
        periods.add(new Period(resolved.digest(), resolved.mediaType(), resolved.at(), resolved.at()));
        List<Period> kept = List.copyOf(periods.subList(Math.max(0, periods.size() - depth), periods.size()));
        return new State(resolved.digest(), resolved.mediaType(), resolved.at(), kept);
      }
      TagRevalidated revalidated = (TagRevalidated) event;
      List<Period> periods = new ArrayList<>(history());
      if (!periods.isEmpty()) {
        Period last = periods.remove(periods.size() - 1);
        periods.add(new Period(last.digest(), last.mediaType(), last.since(),
            Math.max(last.lastConfirmed(), revalidated.at())));
      }
      return new State(digest, mediaType, revalidated.at(), List.copyOf(periods));
    }
  }

  /**
   * One period of a tag's history.
   *
   * @param digest the manifest the tag pointed at
   * @param mediaType its media type
   * @param since when the tag was found pointing there, epoch milliseconds
   * @param lastConfirmed when upstream (or a load) last confirmed it, epoch milliseconds
   */
  public record Period(String digest, String mediaType, long since, long lastConfirmed) {}

  /** The entity id of a tag. */
  public static String entityId(UpstreamName upstream, RepositoryName repository, Tag tag) {
    return upstream + "/" + repository + ":" + tag;
  }

  /** Starts sharding of tag entities on this node. */
  public static void init(ActorSystem<?> system, Manifests manifests, TagIndex tags,
      ManifestSettings settings, Clock clock, TagMoves moves) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            context -> create(context.getEntityId(), manifests, tags, settings, clock, context.getShard(), moves))
        .withStopMessage(Stop.INSTANCE)
        .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy())
        .withAllocationStrategy(ShardAllocation.rendezvous(system)));
  }

  /** The behaviour of the entity with id {@code entityId}, which asks {@code shard} to passivate it. */
  public static Behavior<Command> create(String entityId, Manifests manifests, TagIndex tags,
      ManifestSettings settings, Clock clock, ActorRef<ClusterSharding.ShardCommand> shard, TagMoves moves) {
    int slash = entityId.indexOf('/');
    int colon = entityId.lastIndexOf(':');
    if (slash <= 0 || colon < slash) {
      throw new IllegalArgumentException("tag entity id must be upstream/repository:tag: " + entityId);
    }
    UpstreamName upstream = UpstreamName.of(entityId.substring(0, slash));
    RepositoryName repository = RepositoryName.parse(entityId.substring(slash + 1, colon));
    Tag tag = Tag.parse(entityId.substring(colon + 1));
    return Behaviors.withTimers(timers -> Behaviors.setup(context -> new TagEntity(context, timers, entityId,
        upstream, repository, tag, manifests, tags, settings, clock, shard, moves)));
  }

  private final ActorContext<Command> context;
  private final UpstreamName upstream;
  private final RepositoryName repository;
  private final Tag tag;
  private final Manifests manifests;
  private final TagIndex tags;
  private final ManifestSettings settings;
  private final Clock clock;
  private final SelfPassivation passivation;
  private final List<ResolveTag> waiters = new ArrayList<>();
  /** The manifest the tag points at, once read or fetched: what a stale answer serves. */
  private ManifestContent current;
  private static final Logger LOG = LoggerFactory.getLogger(TagEntity.class);
  /** A full disk refuses every tag: one line a minute says so. */
  /** The soonest a refresh timer fires, so that a stale hot tag is not asked about in a loop. */
  private static final long MIN_REFRESH_DELAY_MS = 100;
  /** How soon a refresh that found a client's request in progress tries again. */
  private static final Duration BUSY_RETRY = Duration.ofMillis(200);
  private static final ThrottledLog NOT_JOURNALED = new ThrottledLog(java.time.Duration.ofMinutes(1));
  /** Loads whose manifest is being stored. */
  private int pendingLoads;
  private final TimerScheduler<Command> timers;
  private final TagMoves moves;
  /** Client pulls counted, as (epoch ms, count), oldest first, within refresh.hot-window. */
  private final Deque<long[]> pulls = new ArrayDeque<>();
  /** Whether a refresh is asking upstream. */
  private boolean refreshing;
  /** When the last refresh failed (epoch ms): it is not tried again for lead-time. */
  private long refreshFailedAt;

  private TagEntity(ActorContext<Command> context, TimerScheduler<Command> timers, String entityId,
      UpstreamName upstream, RepositoryName repository, Tag tag, Manifests manifests, TagIndex tags,
      ManifestSettings settings, Clock clock, ActorRef<ClusterSharding.ShardCommand> shard, TagMoves moves) {
    super(PersistenceId.of(ENTITY_KEY.name(), entityId));
    this.context = context;
    this.timers = timers;
    this.moves = moves;
    this.upstream = upstream;
    this.repository = repository;
    this.tag = tag;
    this.manifests = manifests;
    this.tags = tags;
    this.settings = settings;
    this.clock = clock;
    this.passivation = new SelfPassivation(shard, context.getSelf());
    context.setReceiveTimeout(settings.idleTimeout(), Idle.INSTANCE);
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(ResolveTag.class, this::onResolveTag)
        .onCommand(Checked.class, this::onChecked)
        .onCommand(HeadAnswered.class, this::onHeadAnswered)
        .onCommand(Fetched.class, this::onFetched)
        .onCommand(PeersAnswered.class, this::onPeersAnswered)
        .onCommand(LoadTag.class, this::onLoadTag)
        .onCommand(LoadKept.class, this::onLoadKept)
        .onCommand(RefreshDue.class, this::onRefreshDue)
        .onCommand(RefreshHead.class, this::onRefreshHead)
        .onCommand(Refreshed.class, this::onRefreshed)
        .onCommand(Prefetched.class, this::onPrefetched)
        .onCommand(Idle.class, this::onIdle)
        .onCommand(Stop.class, this::onStop)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(TagResolved.class, (state, e) -> state.apply(e, settings.historyDepth()))
        .onEvent(TagRevalidated.class, (state, e) -> state.apply(e, settings.historyDepth()))
        .build();
  }

  /**
   * A snapshot every snapshot-every events, the last two kept, and the events before them
   * deleted: a tag revalidated every few minutes for years keeps a journal of a few hundred
   * events, and its history lives on in the snapshot.
   */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2).withDeleteEventsOnSnapshot();
  }

  private Effect<Event, State> onResolveTag(State state, ResolveTag command) {
    countPulls(command.pullCount());
    planRefresh(state);
    waiters.add(command);
    if (waiters.size() > 1) {
      return Effect().none();
    }
    if (state.digest() == null) {
      // No history on this node: the shard may have moved here from a node that knows the tag.
      context.pipeToSelf(manifests.tagFromPeers(upstream, repository, tag), PeersAnswered::new);
    } else {
      context.pipeToSelf(manifests.findLocal(Digest.parse(state.digest())),
          Checked::new);
    }
    return Effect().none();
  }

  private Effect<Event, State> onLoadTag(LoadTag command) {
    ManifestContent manifest = new ManifestContent(Digest.parse(command.digest()), command.mediaType(),
        command.manifest());
    pendingLoads++;
    context.pipeToSelf(manifests.keep(manifest), (kept, error) -> new LoadKept(command, error));
    return Effect().none();
  }

  private Effect<Event, State> onLoadKept(State state, LoadKept kept) {
    LoadTag command = kept.command();
    pendingLoads--;
    if (kept.error() != null) {
      command.replyTo().tell(new TagReply.TagFailure(OciFailure.of(Failures.unwrap(kept.error()))));
      answered(false);
      return Effect().none();
    }
    ManifestContent manifest = new ManifestContent(Digest.parse(command.digest()), command.mediaType(),
        command.manifest());
    long now = clock.millis();
    TagRecord record = new TagRecord(command.digest(), command.mediaType(), now);
    Event event = command.digest().equals(state.digest())
        ? new TagRevalidated(now) : new TagResolved(command.digest(), command.mediaType(), now);
    TagReply reply = TagReply.TagResolved.fresh(manifest, now);
    return Effect().persist(event).thenRun(newState -> {
      current = manifest;
      manifests.runBlocking(() -> tags.put(upstream, repository, tag.value(), record));
      command.replyTo().tell(reply);
      answered(false);
    });
  }

  private Effect<Event, State> onPeersAnswered(PeersAnswered answer) {
    if (answer.error() != null || answer.known().isEmpty()) {
      fetch();
      return Effect().none();
    }
    Manifests.KnownTag known = answer.known().get();
    ManifestContent manifest = known.manifest();
    // Adopt the peer's answer with its validation time: fresh, it is served as is; stale, it is
    // revalidated with a HEAD like any other cached tag.
    TagResolved adopted = new TagResolved(manifest.digest().toString(), manifest.mediaType(), known.validatedAt());
    if (manifests.diskLow()) {
      notJournaled();
      return Effect().none().thenRun(unchanged -> serveCached(
          unchanged.apply(adopted, settings.historyDepth()), manifest));
    }
    TagRecord record = new TagRecord(adopted.digest(), adopted.mediaType(), adopted.at());
    manifests.runBlocking(() -> tags.put(upstream, repository, tag.value(), record));
    return Effect().persist(adopted).thenRun(newState -> serveCached(newState, manifest));
  }

  private Effect<Event, State> onChecked(State state, Checked checked) {
    if (checked.error() != null || checked.local().isEmpty()) {
      // The manifest file is gone (evicted, or lost): fetch the tag again.
      fetch();
      return Effect().none();
    }
    return Effect().none().thenRun(newState -> serveCached(newState, checked.local().get()));
  }

  /** Answers from the cached manifest if it is fresh; otherwise asks upstream with a HEAD. */
  private void serveCached(State state, ManifestContent manifest) {
    current = manifest;
    boolean fresh = clock.millis() - state.validatedAt() < settings.ttlFor(upstream, tag.value()).toMillis();
    if (fresh) {
      TagReply reply = TagReply.TagResolved.fresh(manifest, state.validatedAt());
      drainWaiters().forEach(w -> w.replyTo().tell(reply));
      answered(false);
      return;
    }
    context.pipeToSelf(bounded(manifests.headTag(upstream, repository, tag, waitersKind())), HeadAnswered::new);
  }

  private Effect<Event, State> onHeadAnswered(State state, HeadAnswered answer) {
    if (answer.error() != null) {
      return staleOrFail(state, answer.error());
    }
    if (answer.head().digest().toString().equals(state.digest())) {
      long now = clock.millis();
      return persistThenReply(new TagRevalidated(now), TagReply.TagResolved.fresh(current, now),
          new TagRecord(state.digest(), state.mediaType(), now));
    }
    if (manifests.budgetLow(upstream)) {
      // The HEAD was free; the GET of the tag's new manifest would spend a pull that upstream's
      // limit keeps for what the cache lacks. The cached answer stands, marked stale, until the
      // budget recovers.
      return reply(TagReply.TagResolved.stale(current, "upstream pull limit low", state.validatedAt()), false);
    }
    fetch();
    return Effect().none();
  }

  private Effect<Event, State> onFetched(State state, Fetched fetched) {
    if (fetched.error() != null) {
      return staleOrFail(state, fetched.error());
    }
    ManifestContent manifest = fetched.manifest();
    current = manifest;
    long now = clock.millis();
    String digest = manifest.digest().toString();
    String mediaType = manifest.mediaType();
    if (state.digest() != null && !state.digest().equals(digest)) {
      moves.moved(upstream, repository, tag, Digest.parse(state.digest()), manifest, false);
    }
    return persistThenReply(new TagResolved(digest, mediaType, now), TagReply.TagResolved.fresh(manifest, now),
        new TagRecord(digest, mediaType, now));
  }

  private Effect<Event, State> onRefreshDue(State state, RefreshDue due) {
    long now = clock.millis();
    if (busy() && !refreshing) {
      // A client's request is being answered (it may be asking upstream itself): try again
      // once it is, still ahead of the TTL's end.
      timers.startSingleTimer(RefreshDue.INSTANCE, RefreshDue.INSTANCE, BUSY_RETRY);
      return Effect().none();
    }
    if (refreshing || state.digest() == null || !hot(now) || manifests.budgetLow(upstream)
        || now - refreshFailedAt < settings.refresh().leadTime().toMillis()) {
      // Background work waits while the budget is low; a tag that cooled down is left to expire.
      return Effect().none();
    }
    refreshing = true;
    context.pipeToSelf(bounded(manifests.headTag(upstream, repository, tag, PullKind.REFRESH)), RefreshHead::new);
    return Effect().none();
  }

  private Effect<Event, State> onRefreshHead(State state, RefreshHead answer) {
    if (answer.error() != null || state.digest() == null) {
      refreshing = false;
      refreshFailedAt = clock.millis();
      context.getLog().debug("Refresh of {}:{} found nothing: {}", repository, tag,
          answer.error() == null ? "no tag" : Failures.unwrap(answer.error()).getMessage());
      return Effect().none();
    }
    if (answer.head().digest().toString().equals(state.digest())) {
      refreshing = false;
      long now = clock.millis();
      return journalQuietly(new TagRevalidated(now), new TagRecord(state.digest(), state.mediaType(), now));
    }
    if (manifests.budgetLow(upstream)) {
      refreshing = false;
      return Effect().none();
    }
    context.pipeToSelf(bounded(manifests.fetchTag(upstream, repository, tag, PullKind.REFRESH)), Refreshed::new);
    return Effect().none();
  }

  private Effect<Event, State> onRefreshed(State state, Refreshed refreshed) {
    refreshing = false;
    if (refreshed.error() != null) {
      refreshFailedAt = clock.millis();
      context.getLog().info("Refresh of {}:{} could not fetch its new manifest: {}", repository, tag,
          Failures.unwrap(refreshed.error()).getMessage());
      return Effect().none();
    }
    ManifestContent manifest = refreshed.manifest();
    if (manifest.digest().toString().equals(state.digest()) || state.digest() == null) {
      return Effect().none();
    }
    // The tag keeps its old, still fresh, answer until the new blobs' fills have started: a
    // client that gets the new digest then joins those fills instead of starting its own.
    refreshing = true;
    CompletionStage<Void> ahead = moves.moved(upstream, repository, tag, Digest.parse(state.digest()), manifest,
        true);
    context.pipeToSelf(ahead.toCompletableFuture().copy()
            .orTimeout(settings.revalidateTimeout().toMillis(), TimeUnit.MILLISECONDS),
        (started, error) -> new Prefetched(manifest, error));
    return Effect().none();
  }

  private Effect<Event, State> onPrefetched(State state, Prefetched prefetched) {
    refreshing = false;
    if (prefetched.error() != null) {
      context.getLog().info("Refresh of {}:{} fetched nothing ahead: {}", repository, tag,
          Failures.unwrap(prefetched.error()).getMessage());
    }
    ManifestContent manifest = prefetched.manifest();
    String digest = manifest.digest().toString();
    if (digest.equals(state.digest())) {
      return Effect().none();
    }
    current = manifest;
    long now = clock.millis();
    return journalQuietly(new TagResolved(digest, manifest.mediaType(), now),
        new TagRecord(digest, manifest.mediaType(), now));
  }

  /** Journals what a refresh found, answering no one; on a full disk it is not kept. */
  private Effect<Event, State> journalQuietly(Event event, TagRecord record) {
    if (manifests.diskLow()) {
      notJournaled();
      return Effect().none();
    }
    return Effect().persist(event).thenRun(newState -> {
      manifests.runBlocking(() -> tags.put(upstream, repository, tag.value(), record));
      planRefresh(newState);
    });
  }

  /** Counts {@code count} client pulls now, and forgets those older than hot-window. */
  private void countPulls(int count) {
    if (count > 0 && settings.refresh().enabled()) {
      pulls.addLast(new long[] {clock.millis(), count});
    }
  }

  /** Whether the tag was pulled hot-pulls times within hot-window. */
  private boolean hot(long now) {
    long since = now - settings.refresh().hotWindow().toMillis();
    while (!pulls.isEmpty() && pulls.peekFirst()[0] < since) {
      pulls.removeFirst();
    }
    long total = 0;
    for (long[] counted : pulls) {
      total += counted[1];
    }
    return total >= settings.refresh().hotPulls();
  }

  /**
   * Sets the refresh timer of a hot tag to lead-time before its TTL ends (half-way through the
   * TTL if lead-time is longer), or soon if that is past.
   */
  private void planRefresh(State state) {
    Duration ttl = settings.ttlFor(upstream, tag.value());
    if (!settings.refresh().enabled() || state.digest() == null || ttl.isZero() || !hot(clock.millis())) {
      return;
    }
    Duration lead = settings.refresh().leadTime().compareTo(ttl) < 0 ? settings.refresh().leadTime() : ttl.dividedBy(2);
    long due = state.validatedAt() + ttl.toMillis() - lead.toMillis();
    timers.startSingleTimer(RefreshDue.INSTANCE, RefreshDue.INSTANCE,
        Duration.ofMillis(Math.max(MIN_REFRESH_DELAY_MS, due - clock.millis())));
  }

  private void fetch() {
    CompletionStage<ManifestContent> fetched = manifests.fetchTag(upstream, repository, tag, waitersKind());
    context.pipeToSelf(current == null ? fetched : bounded(fetched), Fetched::new);
  }

  /**
   * Bounds an upstream call made while a cached answer exists: a hanging upstream must turn into
   * a stale answer before the client's own request times out. The timeout is not an
   * OciException, so staleOrFail treats it as an outage.
   */
  private <T> CompletionStage<T> bounded(CompletionStage<T> call) {
    return call.toCompletableFuture().copy()
        .orTimeout(settings.revalidateTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private Effect<Event, State> staleOrFail(State state, Throwable error) {
    Throwable cause = Failures.unwrap(error);
    boolean outage = !(cause instanceof OciException oci)
        || oci.code() == ErrorCode.UNAVAILABLE
        || oci.code() == ErrorCode.TOOMANYREQUESTS;
    if (outage && current != null && current.digest().toString().equals(state.digest())) {
      context.getLog().info("Serving {}:{} stale: {}", repository, tag, cause.getMessage());
      String reason = cause instanceof OciException oci && oci.code() == ErrorCode.TOOMANYREQUESTS
          ? "upstream rate limit reached" : "upstream unavailable";
      return reply(TagReply.TagResolved.stale(current, reason, state.validatedAt()), false);
    }
    return reply(new TagReply.TagFailure(OciFailure.of(cause)), true);
  }

  private Effect<Event, State> persistThenReply(Event event, TagReply reply, TagRecord record) {
    List<ResolveTag> answered = drainWaiters();
    if (manifests.diskLow()) {
      // A journal write on a full disk fails, and a failed persist stops the entity with its
      // requests unanswered until they time out: answer, and record nothing. The tag is asked of
      // upstream again next time, which costs a HEAD, never a wrong answer.
      notJournaled();
      return Effect().none().thenRun(() -> {
        answered.forEach(w -> w.replyTo().tell(reply));
        answered(false);
      });
    }
    return Effect().persist(event).thenRun(newState -> {
      afterPersist(record, reply, answered);
      planRefresh(newState);
    });
  }

  private void notJournaled() {
    NodeMetrics.get(context.getSystem()).uncached(NodeMetrics.Uncached.TAG);
    NOT_JOURNALED.warn(LOG, "Tag " + repository + ":" + tag + " answered without being journaled: the data"
        + " volume is at layercake.storage.min-free");
  }

  private void afterPersist(TagRecord record, TagReply reply, List<ResolveTag> answered) {
    manifests.runBlocking(() -> tags.put(upstream, repository, tag.value(), record));
    answered.forEach(w -> w.replyTo().tell(reply));
    answered(false);
  }

  /** Answers the waiting requests; {@code failedLookup}: the tag could not be resolved at all. */
  private Effect<Event, State> reply(TagReply reply, boolean failedLookup) {
    List<ResolveTag> answered = drainWaiters();
    return Effect().none().thenRun(() -> {
      answered.forEach(w -> w.replyTo().tell(reply));
      answered(failedLookup);
    });
  }

  private Effect<Event, State> onIdle(Idle idle) {
    passivation.requestUnless(busy());
    return Effect().none();
  }

  private Effect<Event, State> onStop(Stop stop) {
    // Busy: answer what is in progress first; answered() sends Stop again once it has.
    return passivation.stopNow(busy()) ? Effect().stop() : Effect().none();
  }

  /**
   * After answering: stops if a stop was deferred and nothing is in progress any more, or asks
   * to be passivated after a failed lookup (nothing worth keeping in memory).
   */
  private void answered(boolean failedLookup) {
    if (passivation.deferredStopDue(busy())) {
      context.getSelf().tell(Stop.INSTANCE);
    } else if (failedLookup) {
      passivation.requestUnless(busy());
    }
  }

  /** Whether a request is being answered. */
  private boolean busy() {
    return !waiters.isEmpty() || pendingLoads > 0;
  }

  /** Whom one upstream call serves: a client if any waiter is one. */
  private PullKind waitersKind() {
    return waiters.stream().allMatch(w -> w.kind() == PullKind.PREWARM || w.kind() == PullKind.REFRESH)
        ? waiters.get(0).kind() : PullKind.USER;
  }

  private List<ResolveTag> drainWaiters() {
    List<ResolveTag> answered = new ArrayList<>(waiters);
    waiters.clear();
    return answered;
  }
}
