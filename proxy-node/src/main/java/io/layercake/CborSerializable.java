package io.layercake;

/**
 * Marker for messages and events that cross the wire or the journal. It is bound to Akka's
 * Jackson CBOR serializer in {@code reference.conf}; Java serialization is switched off.
 */
public interface CborSerializable {}
