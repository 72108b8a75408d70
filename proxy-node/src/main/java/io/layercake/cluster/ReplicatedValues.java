package io.layercake.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.LWWMap;
import akka.cluster.ddata.LWWMapKey;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import io.layercake.CborSerializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/*
 * Implementation notes
 *
 * Akka Distributed Data's last-writer-wins map: a put is written to this node's replica at once
 * (WriteLocal) and gossiped to the others within the replicator's gossip interval (2 s). Every
 * node hears of every change, its own included, through one subscription; a value is handed on
 * only when it differs from the last one handed on for its key, so a listener that merges is
 * called once per change, not once per gossip round. Nothing is stored on disk: the values are
 * a cluster's working knowledge (what an upstream last said), which a restart may forget.
 */

/**
 * A value per key, shared by every node of the cluster: the last one written, by whichever node,
 * wins.
 *
 * @param <V> the values: records the cluster serializes with CBOR
 */
public final class ReplicatedValues<V extends CborSerializable> {

  private final ActorRef<Command> actor;

  private interface Command {}

  private record Put<V>(String key, V value) implements Command {}

  private record Changed<V extends CborSerializable>(Replicator.SubscribeResponse<LWWMap<String, V>> response)
      implements Command {}

  private record Updated<V extends CborSerializable>(Replicator.UpdateResponse<LWWMap<String, V>> response)
      implements Command {}

  private ReplicatedValues(ActorRef<Command> actor) {
    this.actor = actor;
  }

  /**
   * Starts sharing the values called {@code name} (one name per kind of value, the same on every
   * node); {@code onChange} hears every key's value when it changes, on an actor's thread.
   */
  public static <V extends CborSerializable> ReplicatedValues<V> start(ActorSystem<?> system, String name,
      BiConsumer<String, V> onChange) {
    Key<LWWMap<String, V>> key = LWWMapKey.create(name);
    return new ReplicatedValues<>(system.systemActorOf(behavior(key, onChange), "replicated-" + name, Props.empty()));
  }

  /** Writes {@code value} for {@code key}, here at once and on the other nodes soon after. */
  public void put(String key, V value) {
    actor.tell(new Put<>(key, value));
  }

  @SuppressWarnings("unchecked")
  private static <V extends CborSerializable> Behavior<Command> behavior(Key<LWWMap<String, V>> key,
      BiConsumer<String, V> onChange) {
    return Behaviors.setup(context -> DistributedData.withReplicatorMessageAdapter(
        (ReplicatorMessageAdapter<Command, LWWMap<String, V>> replicator) -> {
          SelfUniqueAddress self = DistributedData.get(context.getSystem()).selfUniqueAddress();
          Map<String, V> handedOn = new HashMap<>();
          replicator.subscribe(key, Changed::new);
          return Behaviors.receive(Command.class)
              .onMessage(Put.class, put -> {
                replicator.askUpdate(replyTo -> new Replicator.Update<>(key, LWWMap.empty(), Replicator.writeLocal(),
                    replyTo, map -> map.put(self, put.key(), (V) put.value())), Updated::new);
                return Behaviors.same();
              })
              .onMessage(Changed.class, changed -> {
                if (changed.response() instanceof Replicator.Changed<?> current) {
                  LWWMap<String, V> map = ((Replicator.Changed<LWWMap<String, V>>) current).get(key);
                  map.getEntries().forEach((entry, value) -> {
                    if (!Objects.equals(handedOn.put(entry, value), value)) {
                      onChange.accept(entry, value);
                    }
                  });
                }
                return Behaviors.same();
              })
              // A local write cannot fail but for a bug; the next put writes again.
              .onMessage(Updated.class, updated -> Behaviors.same())
              .build();
        }));
  }
}
