package io.decibel.relay;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.decibel.testsupport.MqttLinkProxy;
import io.decibel.testsupport.MqttLinkProxy.Direction;
import io.decibel.testsupport.MqttLinkProxy.Packet;

/**
 * What the relay's connections carried, read from the proxy's record: for each PUBACK the relay sent, whether the
 * reply to the delivery it acknowledges (the relay's PUBLISH with the delivery's Correlation Data) went before it
 * on the same connection.
 *
 * @param pubacks PUBACKs of deliveries that carry Correlation Data
 * @param ahead those of them that went out before their delivery's reply (or with no reply at all on their
 * connection)
 */
record WireOrder(int pubacks, int ahead) {

	static WireOrder of(List<Packet> packets) {
		// the proxy records a delivery before the relay can have it, so before its PUBACK: one pass in order
		Map<Integer, Map<Integer, String>> delivered = new HashMap<>();
		Map<Integer, Set<String>> replied = new HashMap<>();
		int pubacks = 0;
		int ahead = 0;
		for (Packet packet : packets) {
			int connection = packet.connection();
			if (packet.direction() == Direction.DOWNSTREAM && packet.type() == MqttLinkProxy.PUBLISH
					&& packet.qos() > 0) {
				String correlation = packet.correlation();
				if (correlation != null) {
					delivered.computeIfAbsent(connection, (c) -> new HashMap<>()).put(packet.packetId(), correlation);
				}
			}
			else if (packet.direction() == Direction.UPSTREAM && packet.type() == MqttLinkProxy.PUBLISH) {
				String correlation = packet.correlation();
				if (correlation != null) {
					replied.computeIfAbsent(connection, (c) -> new HashSet<>()).add(correlation);
				}
			}
			else if (packet.direction() == Direction.UPSTREAM && packet.type() == MqttLinkProxy.PUBACK) {
				String correlation = delivered.getOrDefault(connection, Map.of()).remove(packet.packetId());
				if (correlation != null) {
					pubacks++;
					if (!replied.getOrDefault(connection, Set.of()).contains(correlation)) {
						ahead++;
					}
				}
			}
		}
		return new WireOrder(pubacks, ahead);
	}

	@Override
	public String toString() {
		return this.ahead + " of " + this.pubacks + " PUBACKs went out before their delivery's reply";
	}

}
