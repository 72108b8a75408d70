package io.layercake.eviction;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import io.layercake.Futures;
import io.layercake.Glob;
import io.layercake.UpstreamName;
import io.layercake.cluster.PeerClient;
import io.layercake.manifest.Manifests;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The cache verbs over the whole cluster, run by the node that received the request: it asks
 * every node's {@link CacheKeeper} for its contents, reads the manifests (from this node, else
 * from the node holding them: never from upstream), plans with {@link Catalog}, and tells every
 * keeper what to remove. A destructive verb refuses to run while any node does not answer, since
 * a tag only that node knows could make a shared blob look unreferenced.
 */
public final class ClusterCache {

  /** Tags and digests per removal message: about 75 KB, far below remoting's 256 KiB frame. */
  static final int REMOVALS_PER_MESSAGE = 1000;

  /** How long a blob must have gone unused before prune counts it as dangling. */
  static final Duration DANGLING_GRACE = Duration.ofMinutes(1);

  private static final String NO_ANSWER = "a node did not answer in time; some of the change may have been made";

  private final ActorSystem<?> system;
  private final Manifests manifests;
  private final PeerClient peers;
  private final Duration timeout;
  private final Clock clock;
  private final Function<UpstreamName, Optional<String>> registries;

  /** The cluster's cache as seen from {@code system}'s node. */
  public ClusterCache(ActorSystem<?> system, Manifests manifests, PeerClient peers, Duration timeout, Clock clock,
      Function<UpstreamName, Optional<String>> registries) {
    this.registries = registries;
    this.system = system;
    this.manifests = manifests;
    this.peers = peers;
    this.timeout = timeout;
    this.clock = clock;
  }

  /**
   * The registry host an upstream's images are named with, the way docker names them: empty for
   * Docker Hub ({@code redis}), {@code ghcr.io} for GHCR's ({@code ghcr.io/org/app}).
   */
  public Optional<String> registryOf(UpstreamName upstream) {
    return registries.apply(upstream);
  }

  /** An image's {@code repository:tag} as answers show it: with its registry's host, unless Docker Hub's. */
  private String shown(UpstreamName upstream, String image) {
    return upstream == null ? image : registryOf(upstream).map(host -> host + "/" + image).orElse(image);
  }

  private String shown(CachedImage image) {
    return shown(image.upstream(), image.name());
  }

  /** The catalog of the whole cluster now. */
  public CompletionStage<Catalog> catalog() {
    String snapshot = UUID.randomUUID().toString();
    return tellAll(keeper -> listFrom(keeper, snapshot, 0, null), "a node did not list its cache in time")
        .thenApply(contents -> {
          for (CacheKeeper.Contents node : contents) {
            if (node.error() != null) {
              throw unavailable("node " + node.node() + " could not list its cache: " + node.error());
            }
          }
          return contents;
        }).thenCompose(this::withManifests);
  }

  /** Reads a keeper's listing page by page, from {@code page} on, after {@code sofar}. */
  private CompletionStage<CacheKeeper.Contents> listFrom(ActorRef<CacheKeeper.Command> keeper, String snapshot,
      int page, CacheKeeper.Contents sofar) {
    return AskPattern.<CacheKeeper.Command, CacheKeeper.Contents>ask(keeper,
            replyTo -> new CacheKeeper.ListContents(snapshot, page, replyTo), timeout, system.scheduler())
        .thenCompose(next -> {
          CacheKeeper.Contents all = sofar == null ? next : sofar.plus(next);
          return next.last() || next.error() != null ? CompletableFuture.completedFuture(all)
              : listFrom(keeper, snapshot, page + 1, all);
        });
  }

  private CompletionStage<Catalog> withManifests(List<CacheKeeper.Contents> contents) {
    Set<String> held = new HashSet<>();
    Set<String> tagged = new HashSet<>();
    Set<Digest> heldManifests = new HashSet<>();
    for (CacheKeeper.Contents node : contents) {
      node.tags().forEach(tag -> tagged.add(tag.digest()));
      for (CacheKeeper.BlobEntry blob : node.blobs()) {
        held.add(blob.digest());
        if (blob.mediaType() != null) {
          heldManifests.add(Digest.parse(blob.digest()));
        }
      }
    }
    // A manifest re-indexed by start-up recovery has no media type in the index: the tags name
    // theirs anyway.
    tagged.stream().filter(held::contains).forEach(d -> heldManifests.add(Digest.parse(d)));
    Map<Digest, ManifestReferences> references = new ConcurrentHashMap<>();
    return Futures.all(heldManifests.stream()
            .map(digest -> load(digest).thenAccept(found -> found.ifPresent(r -> references.put(digest, r))))
            .toList())
        .thenApply(done -> Catalog.build(contents, references));
  }

  private CompletionStage<Optional<ManifestReferences>> load(Digest digest) {
    return manifests.findLocal(digest).thenCompose(local -> {
      if (local.isPresent()) {
        return CompletableFuture.completedFuture(Optional.of(ManifestReferences.of(local.get().bytes())));
      }
      return peers.manifestFromPeers(digest)
          .thenApply(peer -> peer.map(m -> ManifestReferences.of(m.bytes())));
    }).exceptionally(error -> Optional.empty());
  }

  /**
   * {@code rmi}: removes the images {@code name} denotes. Unless {@code force}, refuses a pinned
   * image and an image whose blobs are being served or filled; with it, unpins and deletes
   * regardless (a blob still being filled is spared: it has no file yet).
   */
  public CompletionStage<Removal> rmi(ImageName name, boolean force) {
    return catalog().thenCompose(catalog -> {
      List<CachedImage> targets = catalog.denoted(name);
      if (targets.isEmpty()) {
        throw new OciException(ErrorCode.NAME_UNKNOWN, "No such image: " + name, name.toString());
      }
      Catalog.Plan plan = catalog.plan(targets, false, blob -> false, true);
      if (!force) {
        for (CachedImage image : targets) {
          if (image.pinned()) {
            throw new OciException(ErrorCode.DENIED, "image is pinned: unpin it or use --force", shown(image));
          }
        }
        for (Catalog.HeldBlob blob : plan.delete()) {
          if (catalog.busy().contains(blob.digest())) {
            throw new OciException(ErrorCode.DENIED, "image is in use (a blob is being pulled): retry later"
                + " or use --force", blob.digest().toString());
          }
        }
      }
      CompletionStage<Void> unpinned = CompletableFuture.completedFuture(null);
      if (force) {
        for (PinStore.Pin pin : catalog.pins().values()) {
          if (targets.stream().anyMatch(t -> pin.manifest().equals(t.manifest().toString()))) {
            unpinned = unpinned.thenCompose(done -> setPin(pin.key(), null)).thenApply(changed -> null);
          }
        }
      }
      return unpinned.thenCompose(done -> execute(plan, EvictionReason.RMI, force));
    });
  }

  /**
   * {@code prune}: without {@code all}, the dangling blobs not used for at least
   * {@link #DANGLING_GRACE}; with it, also every image that is neither pinned nor in use. {@code until} limits both to what was last used longer ago
   * (null: no limit); {@code references} limits images to those matching any pattern, and
   * leaves dangling blobs alone (they have no reference to match).
   */
  public CompletionStage<Removal> prune(boolean all, Duration until, List<Glob> references, boolean dryRun) {
    return catalog().thenCompose(catalog -> {
      long now = clock.millis();
      long before = until == null ? Long.MAX_VALUE : now - until.toMillis();
      List<CachedImage> targets = !all ? List.of() : catalog.images().stream()
          .filter(image -> references.isEmpty()
              || references.stream().anyMatch(glob -> image.matchesReference(glob, registryOf(image.upstream()))))
          .filter(image -> image.lastUsed() < before && !image.pinned() && !image.inUse())
          .toList();
      // A blob used within the grace period may belong to a pull whose tag is not indexed yet.
      long danglingBefore = Math.min(before, now - DANGLING_GRACE.toMillis());
      Catalog.Plan plan = catalog.plan(targets, references.isEmpty(),
          blob -> blob.lastAccess() < danglingBefore, false);
      return dryRun ? CompletableFuture.completedFuture(Removal.of(plan, true, this::shown))
          : execute(plan, EvictionReason.PRUNE, false);
    });
  }

  /**
   * Applies the age rules once: every image that a rule applies to and finds due is removed as
   * {@code rmi} would without force (pinned and in-use images are kept for the next round). An
   * image is judged by the first rule that applies to it and finds it due.
   */
  public CompletionStage<Removal> applyRules(List<AgeRule> rules, boolean dryRun) {
    return catalog().thenCompose(catalog -> {
      long now = clock.millis();
      Map<EvictionReason, List<CachedImage>> due = new LinkedHashMap<>();
      for (CachedImage image : catalog.images()) {
        if (image.pinned() || image.inUse()) {
          continue;
        }
        for (AgeRule rule : rules) {
          // Another registry's repositories are matched with its host, as read rules match them.
          if (rule.appliesTo(shown(image.upstream(), image.repository()), image.tag())
              && rule.isDue(now, image.lastUsed(), image.cachedAt())) {
            due.computeIfAbsent(rule.reason(), r -> new ArrayList<>()).add(image);
            break;
          }
        }
      }
      List<CachedImage> all = due.values().stream().flatMap(List::stream).toList();
      if (dryRun || all.isEmpty()) {
        return CompletableFuture.completedFuture(
            Removal.of(catalog.plan(all, false, b -> false, false), true, this::shown));
      }
      CompletionStage<Removal> result = CompletableFuture.completedFuture(Removal.EMPTY);
      for (Map.Entry<EvictionReason, List<CachedImage>> group : due.entrySet()) {
        // Each group is planned against the catalog with the earlier groups already gone.
        result = result.thenCompose(sofar -> catalog()
            .thenCompose(fresh -> execute(fresh.plan(fresh.images().stream()
                .filter(i -> group.getValue().stream().anyMatch(g -> g.name().equals(i.name())
                    && g.upstream().equals(i.upstream())))
                .toList(), false, b -> false, false), group.getKey(), false))
            .thenApply(sofar::plus));
      }
      return result;
    });
  }

  /** {@code pin}: pins every image {@code name} denotes on every node. */
  public CompletionStage<List<String>> pin(ImageName name) {
    return catalog().thenCompose(catalog -> {
      List<CachedImage> targets = catalog.denoted(name);
      if (targets.isEmpty()) {
        throw new OciException(ErrorCode.NAME_UNKNOWN, "No such image: " + name, name.toString());
      }
      CompletionStage<?> pinned = CompletableFuture.completedFuture(null);
      for (CachedImage image : targets) {
        PinStore.Pin pin = new PinStore.Pin(image.name(), image.manifest().toString(),
            image.digests().stream().map(Digest::toString).sorted().toList(), clock.millis(), image.upstream());
        pinned = pinned.thenCompose(done -> setPin(pin.key(), pin));
      }
      return pinned.thenApply(done -> targets.stream().map(this::shown).toList());
    });
  }

  /** {@code unpin}: removes the pins of every image {@code name} denotes, or of that name. */
  public CompletionStage<List<String>> unpin(ImageName name) {
    return catalog().thenCompose(catalog -> {
      List<PinStore.Pin> pins = catalog.pins().values().stream().filter(pin -> pin.isNamedBy(name)).toList();
      if (pins.isEmpty()) {
        throw new OciException(ErrorCode.NAME_UNKNOWN, "not pinned: " + name, name.toString());
      }
      CompletionStage<?> unpinned = CompletableFuture.completedFuture(null);
      for (PinStore.Pin pin : pins) {
        unpinned = unpinned.thenCompose(done -> setPin(pin.key(), null));
      }
      return unpinned.thenApply(done -> pins.stream().map(pin -> shown(pin.upstream(), pin.image())).toList());
    });
  }

  private CompletionStage<Boolean> setPin(String key, PinStore.Pin pin) {
    return tellAll(keeper -> AskPattern.<CacheKeeper.Command, CacheKeeper.PinSet>ask(keeper,
            replyTo -> new CacheKeeper.SetPin(key, pin, replyTo), timeout, system.scheduler()), NO_ANSWER)
        .thenApply(answers -> {
          for (CacheKeeper.PinSet answer : answers) {
            if (answer.error() != null) {
              throw unavailable("node " + answer.node() + " could not change the pin: " + answer.error());
            }
          }
          return answers.stream().anyMatch(CacheKeeper.PinSet::changed);
        });
  }

  private CompletionStage<Removal> execute(Catalog.Plan plan, EvictionReason reason, boolean force) {
    if (plan.untag().isEmpty() && plan.delete().isEmpty()) {
      return CompletableFuture.completedFuture(Removal.EMPTY);
    }
    List<CacheKeeper.TagEntry> untag = plan.untag().stream()
        .map(i -> new CacheKeeper.TagEntry(i.upstream(), i.repository(), i.tag(), i.manifest().toString(), 0))
        .toList();
    List<String> digests = plan.delete().stream().map(b -> b.digest().toString()).toList();
    return removeInBatches(untag, digests, reason, force, 0, List.of())
        .thenApply(answers -> {
          Map<String, Long> deleted = new LinkedHashMap<>();
          List<String> errors = new ArrayList<>();
          for (CacheKeeper.Removed answer : answers) {
            if (answer.error() != null) {
              errors.add(answer.node() + ": " + answer.error());
            }
            answer.deleted().forEach(b -> deleted.merge(b.digest(), b.size(), Long::sum));
          }
          List<Removal.Freed> freed = deleted.entrySet().stream()
              .map(e -> new Removal.Freed(e.getKey(), e.getValue()))
              .sorted(Comparator.comparing(Removal.Freed::digest))
              .toList();
          return new Removal(plan.untag().stream().map(this::shown).toList(), freed,
              freed.stream().mapToLong(Removal.Freed::size).sum(), false, List.copyOf(errors));
        });
  }

  /**
   * Sends the removal in batches of {@link #REMOVALS_PER_MESSAGE} tags and digests, each to every
   * keeper, one batch after the other: messages stay well under remoting's frame size.
   */
  private CompletionStage<List<CacheKeeper.Removed>> removeInBatches(List<CacheKeeper.TagEntry> untag,
      List<String> digests, EvictionReason reason, boolean force, int from, List<CacheKeeper.Removed> sofar) {
    if (from >= Math.max(untag.size(), digests.size())) {
      return CompletableFuture.completedFuture(sofar);
    }
    int to = from + REMOVALS_PER_MESSAGE;
    List<CacheKeeper.TagEntry> untagBatch = untag.subList(Math.min(from, untag.size()), Math.min(to, untag.size()));
    List<String> digestBatch = digests.subList(Math.min(from, digests.size()), Math.min(to, digests.size()));
    return tellAll(keeper -> AskPattern.<CacheKeeper.Command, CacheKeeper.Removed>ask(keeper,
            replyTo -> new CacheKeeper.RemoveContent(List.copyOf(untagBatch), List.copyOf(digestBatch),
                reason.label(), force, replyTo),
            timeout, system.scheduler()), NO_ANSWER)
        .thenCompose(answers -> removeInBatches(untag, digests, reason, force, to,
            Stream.concat(sofar.stream(), answers.stream()).toList()));
  }

  /** Asks every keeper; if one does not answer, fails as unavailable, saying {@code noAnswer}. */
  private <T> CompletionStage<List<T>> tellAll(Function<ActorRef<CacheKeeper.Command>, CompletionStage<T>> ask,
      String noAnswer) {
    return keepers().thenCompose(keepers -> Futures.all(keepers.stream().map(ask).toList())
        .handle((answers, error) -> {
          if (error != null) {
            throw unavailable(noAnswer);
          }
          return answers;
        }));
  }

  /**
   * Every node's keeper. Refuses (503, retry) while the receptionist knows fewer keepers than
   * there are Up members: a node that has just started or joined, whose keeper registration has
   * not spread yet, would otherwise be silently left out.
   */
  private CompletionStage<Collection<ActorRef<CacheKeeper.Command>>> keepers() {
    return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
            replyTo -> Receptionist.find(CacheKeeper.SERVICE_KEY, replyTo), timeout, system.scheduler())
        .thenApply(listing -> {
          Set<ActorRef<CacheKeeper.Command>> keepers = listing.getServiceInstances(CacheKeeper.SERVICE_KEY);
          long up = StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
              .filter(member -> member.status() == MemberStatus.up())
              .count();
          if (keepers.size() < Math.max(1, up)) {
            throw unavailable(keepers.size() + " of " + Math.max(1, up) + " nodes' caches are known yet");
          }
          return keepers;
        });
  }

  private static OciException unavailable(String detail) {
    return new OciException(ErrorCode.UNAVAILABLE, "the cluster's cache could not be read, retry", detail,
        Duration.ofSeconds(1));
  }
}
