package io.decibel.e2e;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.decibel.contract.Topics;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * Every reading of one device seen on the wire, each time it was published, with when: a plain subscription of the
 * test's own, which sees what a device sends whether or not a relay takes it.
 */
final class WireObserver implements AutoCloseable {

	private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

	private final MqttClient client;

	/** Guarded by itself: {seq, nano time seen}, once per publish. */
	private final List<long[]> seen = new ArrayList<>();

	private WireObserver(MqttClient client) {
		this.client = client;
	}

	static WireObserver start(String mqttUrl, String topicRoot, String deviceId) throws MqttException {
		WireObserver observer = new WireObserver(
				new MqttClient(mqttUrl, topicRoot + "-wire", new MemoryPersistence()));
		MqttConnectionOptions options = new MqttConnectionOptions();
		options.setCleanStart(true);
		observer.client.connect(options);
		IMqttMessageListener listener = (topic, message) -> {
			Matcher matcher = SEQ.matcher(new String(message.getPayload(), StandardCharsets.UTF_8));
			if (matcher.find()) {
				observer.seen(Long.parseLong(matcher.group(1)));
			}
		};
		observer.client.subscribe(new MqttSubscription[] { new MqttSubscription(new Topics(topicRoot).readings(deviceId), 1) },
				new IMqttMessageListener[] { listener });
		return observer;
	}

	private void seen(long seq) {
		synchronized (this.seen) {
			this.seen.add(new long[] { seq, System.nanoTime() });
		}
	}

	/** The seqs published between two {@link System#nanoTime()}s. */
	Set<Long> seqsSeenBetween(long fromNanos, long toNanos) {
		Set<Long> seqs = new TreeSet<>();
		synchronized (this.seen) {
			for (long[] each : this.seen) {
				if (each[1] - fromNanos >= 0 && toNanos - each[1] >= 0) {
					seqs.add(each[0]);
				}
			}
		}
		return seqs;
	}

	long highestSeq() {
		synchronized (this.seen) {
			return this.seen.stream().mapToLong((each) -> each[0]).max().orElse(-1);
		}
	}

	@Override
	public void close() throws MqttException {
		if (this.client.isConnected()) {
			this.client.disconnect();
		}
		this.client.close();
	}

}
