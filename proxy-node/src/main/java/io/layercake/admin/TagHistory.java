package io.layercake.admin;

import akka.actor.typed.ActorSystem;
import io.layercake.Futures;
import io.layercake.Json;
import io.layercake.UpstreamName;
import io.layercake.admin.AdminAnswers.HistoryEntry;
import io.layercake.cluster.PeerClient;
import io.layercake.manifest.TagEntity;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import io.layercake.persistence.JournalEvents;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/*
 * Implementation notes
 *
 * A tag's history is its entity's journal: TagResolved each time the tag was found pointing at a
 * (new) manifest, TagRevalidated each time upstream confirmed it. The entity snapshots its state,
 * which holds the newest history-depth periods, and deletes older events; so a node's part is its
 * latest snapshot with the events after it folded in, by the entity's own fold (State.apply). The journal is node-local and
 * an entity runs wherever its shard is, so the history of a tag is spread over the nodes it ran
 * on. The cluster view asks every member for its part (its internal endpoint, with the cluster
 * secret; over mutual TLS when the cluster has it) and merges: one entry per (digest, since),
 * ordered by time. A member that does not answer is left out, not an error.
 */

/** The history of a tag: which manifest it pointed at, since when, and when that was last confirmed. */
final class TagHistory {

  /** A node's part holds at most history-depth periods; this is far above any depth's. */
  private static final long MAX_PART_BYTES = 4 * 1024 * 1024;

  private final JournalEvents journal;
  private final ImageServices services;
  private final int historyDepth;

  TagHistory(ActorSystem<?> system, ImageServices services) {
    this.journal = new JournalEvents(system);
    this.services = services;
    this.historyDepth = services.manifestSettings().historyDepth();
  }

  /** This node's part of the history, oldest first: its latest snapshot, then the events after it. */
  CompletionStage<List<HistoryEntry>> local(UpstreamName upstream, RepositoryName repository, Tag tag) {
    String persistenceId = TagEntity.ENTITY_KEY.name() + "|" + TagEntity.entityId(upstream, repository, tag);
    String self = services.peers().directory().selfUrl();
    return CompletableFuture.supplyAsync(() -> {
      Optional<JournalEvents.JournalSnapshot> snapshot = journal.latestSnapshot(persistenceId);
      TagEntity.State state = snapshot.map(s -> (TagEntity.State) s.state()).orElse(TagEntity.State.EMPTY);
      long after = snapshot.map(JournalEvents.JournalSnapshot::sequenceNr).orElse(0L);
      for (JournalEvents.JournalEvent event : journal.read(persistenceId)) {
        if (event.sequenceNr() > after && event.payload() instanceof TagEntity.Event tagEvent) {
          state = state.apply(tagEvent, historyDepth);
        }
      }
      return state.history().stream()
          .map(p -> new HistoryEntry(p.digest(), p.mediaType(), p.since(), p.lastConfirmed(), self))
          .toList();
    }, services.blocking());
  }

  /** The history across every member, oldest first. */
  CompletionStage<List<HistoryEntry>> cluster(UpstreamName upstream, RepositoryName repository, Tag tag) {
    List<CompletionStage<List<HistoryEntry>>> parts = new ArrayList<>();
    parts.add(local(upstream, repository, tag));
    PeerClient peers = services.peers();
    String path = PeerClient.HISTORY_PATH + PeerClient.tagQuery(upstream, repository.value(), tag.value());
    for (String peer : peers.directory().peerUrls()) {
      parts.add(peers.getSmall(peer, path, MAX_PART_BYTES)
          .thenApply(body -> body.map(TagHistory::parse).orElse(List.of())));
    }
    return Futures.all(parts).thenApply(TagHistory::merge);
  }

  /** One entry per period (digest and since), the most recently confirmed of its copies. */
  private static List<HistoryEntry> merge(List<List<HistoryEntry>> parts) {
    Map<String, HistoryEntry> periods = new LinkedHashMap<>();
    parts.forEach(part -> part.forEach(entry -> periods.merge(entry.digest() + " " + entry.since(), entry,
        (kept, other) -> other.lastConfirmed() > kept.lastConfirmed() ? other : kept)));
    return periods.values().stream().sorted(Comparator.comparingLong(HistoryEntry::since)).toList();
  }

  private static List<HistoryEntry> parse(byte[] body) {
    try {
      List<HistoryEntry> entries = Json.answerReader(AdminAnswers.History.class)
          .<AdminAnswers.History>readValue(body).history();
      return entries == null ? List.of() : entries;
    } catch (IOException e) {
      return List.of();
    }
  }
}
