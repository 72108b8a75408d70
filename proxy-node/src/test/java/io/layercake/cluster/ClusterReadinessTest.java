package io.layercake.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Address;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Found by the fault schedule: an isolated node still counted itself ready until the split brain
 * resolver downed it, and its requests waited 5.5 s for shards on nodes it could not reach. A node
 * serves only on the side that keep-majority keeps.
 */
class ClusterReadinessTest {

  private static Address node(int n) {
    return new Address("akka", "layercake", "10.0.0." + n, 25520);
  }

  @Test
  void majority_ready_minority_not() {
    List<Address> up = List.of(node(1), node(2), node(3));
    assertTrue(ClusterReadiness.majoritySide(up, List.of(node(1), node(2), node(3))));
    assertTrue(ClusterReadiness.majoritySide(up, List.of(node(2), node(3))));
    assertFalse(ClusterReadiness.majoritySide(up, List.of(node(1))), "the isolated node, even the oldest");
  }

  @Test
  void evenSplit_theSideWithTheLowestAddressServes() {
    List<Address> up = List.of(node(1), node(2), node(3), node(4));
    assertTrue(ClusterReadiness.majoritySide(up, List.of(node(1), node(4))));
    assertFalse(ClusterReadiness.majoritySide(up, List.of(node(2), node(3))));
    List<Address> two = List.of(node(1), node(2));
    assertTrue(ClusterReadiness.majoritySide(two, List.of(node(1))));
    assertFalse(ClusterReadiness.majoritySide(two, List.of(node(2))));
  }

  @Test
  void aNodeAlone_serves() {
    assertTrue(ClusterReadiness.majoritySide(List.of(node(1)), List.of(node(1))));
  }
}
