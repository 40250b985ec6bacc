package io.decibel.relay;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.mqtt.NoDelaySocketFactory;
import io.decibel.testsupport.TestInfrastructure;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Devices that publish readings at a steady pace, each on a Paho connection of its own straight to the broker, as the
 * publisher does (QoS 1, Response Topic, the seq as Correlation Data), and keep every answer each reading gets. Made
 * {@linkplain #resending re-sending}, a device sends an unanswered reading again (same seq, same bytes) once it is
 * overdue and a later one has been answered, or, while no answer comes, only its oldest, as a probe, with doubling
 * back-off: the publisher's rule. Made {@linkplain #once never re-sending}, it publishes each reading once and only
 * its broker's redelivery to the relay can get it stored. Neither reconnects: a lost connection is counted.
 */
final class PacedDevices implements AutoCloseable {

	private static final long TICK_MILLIS = 100;

	private static final Duration MAX_BACKOFF = Duration.ofSeconds(20);

	private final Topics topics;

	private final int perSecond;

	private final Duration ackTimeout;

	private final List<Device> devices = new ArrayList<>();

	private final TelemetryCodec codec = new TelemetryCodec();

	private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

	private volatile boolean sampling;

	private PacedDevices(Topics topics, int perSecond, Duration ackTimeout) {
		this.topics = topics;
		this.perSecond = perSecond;
		this.ackTimeout = ackTimeout;
	}

	/** {@code count} devices ({@code prefix-0}, …) that re-send what is not answered within {@code ackTimeout}. */
	static PacedDevices resending(String brokerUrl, Topics topics, String prefix, int count, int perSecond,
			Duration ackTimeout) throws MqttException {
		return connect(new PacedDevices(topics, perSecond, ackTimeout), brokerUrl, prefix, count);
	}

	/** {@code count} devices that publish each reading once, whatever becomes of it. */
	static PacedDevices once(String brokerUrl, Topics topics, String prefix, int count, int perSecond)
			throws MqttException {
		return connect(new PacedDevices(topics, perSecond, null), brokerUrl, prefix, count);
	}

	private static PacedDevices connect(PacedDevices devices, String brokerUrl, String prefix, int count)
			throws MqttException {
		for (int i = 0; i < count; i++) {
			devices.devices.add(devices.new Device(brokerUrl, prefix + "-" + i));
		}
		return devices;
	}

	void start() {
		long started = System.nanoTime();
		this.sampling = true;
		this.scheduler.scheduleAtFixedRate(() -> {
			long due = (System.nanoTime() - started) * this.perSecond / 1_000_000_000L;
			for (Device device : this.devices) {
				device.tick(due);
			}
		}, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
	}

	/** No new readings from now on; the unanswered ones keep being re-sent, by re-sending devices. */
	void stop() {
		this.sampling = false;
	}

	List<String> deviceIds() {
		return this.devices.stream().map((device) -> device.id).toList();
	}

	int size() {
		return this.devices.size();
	}

	/** How many readings the device numbered: seqs 0 to this minus one. */
	long numbered(String deviceId) {
		return device(deviceId).numbered();
	}

	Figures figures() {
		Figures figures = new Figures();
		for (Device device : this.devices) {
			device.addTo(figures);
		}
		return figures;
	}

	/** The last time a reading numbered before {@code nanos} was first answered; {@code Long.MAX_VALUE}: not all. */
	long lastAnswerOfReadingsNumberedBefore(long nanos) {
		long last = Long.MIN_VALUE;
		for (Device device : this.devices) {
			last = Math.max(last, device.lastAnswerOfReadingsNumberedBefore(nanos));
		}
		return last;
	}

	/** Up to {@code max} unanswered readings, as {@code deviceId:seq}. */
	List<String> unanswered(int max) {
		List<String> unanswered = new ArrayList<>();
		for (Device device : this.devices) {
			device.unanswered(unanswered, max);
		}
		return unanswered;
	}

	private Device device(String deviceId) {
		return this.devices.stream().filter((device) -> device.id.equals(deviceId)).findFirst().orElseThrow();
	}

	@Override
	public void close() {
		this.scheduler.shutdownNow();
		for (Device device : this.devices) {
			device.close();
		}
	}

	/** The devices' counts, summed. */
	static final class Figures {

		long numbered;

		/** Readings answered at least once. */
		long answered;

		/** Readings answered more than once (a re-send, or the broker's redelivery after a reply got through). */
		long answeredAgain;

		/** Readings answered {@code STORED} more than once: a second row would have been written. */
		long storedTwice;

		long resent;

		/** Connections lost: a device that stayed connected throughout lost none. */
		long connectionsLost;

		final Map<AckStatus, Long> answers = new EnumMap<>(AckStatus.class);

		long answers(AckStatus status) {
			return this.answers.getOrDefault(status, 0L);
		}

	}

	private static final class Pending {

		final byte[] payload;

		boolean sent;

		int resends;

		long dueNanos;

		Pending(byte[] payload) {
			this.payload = payload;
		}

	}

	private final class Device implements MqttCallback {

		final String id;

		final String readingsTopic;

		final MqttAsyncClient client;

		/** Guarded by this device, like every field below. */
		final TreeMap<Long, Pending> pending = new TreeMap<>();

		final List<Long> numberedAt = new ArrayList<>();

		final List<Long> answeredAt = new ArrayList<>();

		final List<Map<AckStatus, Integer>> answers = new ArrayList<>();

		long highestAnswered = -1;

		long resent;

		long connectionsLost;

		Device(String url, String id) throws MqttException {
			this.id = id;
			this.readingsTopic = PacedDevices.this.topics.readings(id);
			this.client = new MqttAsyncClient(url, TestInfrastructure.uniqueName(id), new MemoryPersistence());
			this.client.setCallback(this);
			MqttConnectionOptions options = new MqttConnectionOptions();
			options.setCleanStart(true);
			options.setKeepAliveInterval(30);
			options.setSocketFactory(new NoDelaySocketFactory());
			this.client.connect(options).waitForCompletion(30_000);
			this.client.subscribe(new MqttSubscription[] { new MqttSubscription(PacedDevices.this.topics.acks(id), 0) })
				.waitForCompletion(30_000);
		}

		synchronized long numbered() {
			return this.numberedAt.size();
		}

		void tick(long due) {
			List<Long> toSend = new ArrayList<>();
			long now = System.nanoTime();
			synchronized (this) {
				while (PacedDevices.this.sampling && this.numberedAt.size() < due) {
					long seq = this.numberedAt.size();
					this.numberedAt.add(now);
					this.answeredAt.add(0L);
					this.answers.add(new EnumMap<>(AckStatus.class));
					this.pending.put(seq, new Pending(encode(seq)));
				}
				Long oldest = this.pending.isEmpty() ? null : this.pending.firstKey();
				for (Map.Entry<Long, Pending> entry : this.pending.entrySet()) {
					Pending reading = entry.getValue();
					if (!reading.sent) {
						toSend.add(entry.getKey());
					}
					else if (PacedDevices.this.ackTimeout != null && reading.dueNanos - now <= 0
							&& (entry.getKey() < this.highestAnswered || entry.getKey().equals(oldest))) {
						reading.resends++;
						this.resent++;
						toSend.add(entry.getKey());
					}
				}
			}
			for (Long seq : toSend) {
				if (!send(seq, now)) {
					// the client's in-flight window is full: the rest go at the next tick
					return;
				}
			}
		}

		private boolean send(long seq, long now) {
			Pending reading;
			synchronized (this) {
				reading = this.pending.get(seq);
				if (reading == null) {
					return true;
				}
			}
			MqttMessage message = new MqttMessage(reading.payload);
			message.setQos(1);
			MqttProperties properties = new MqttProperties();
			properties.setResponseTopic(PacedDevices.this.topics.acks(this.id));
			properties.setCorrelationData(Long.toString(seq).getBytes(StandardCharsets.UTF_8));
			message.setProperties(properties);
			try {
				this.client.publish(this.readingsTopic, message);
			}
			catch (MqttException ex) {
				synchronized (this) {
					if (reading.sent) {
						// not re-sent after all
						reading.resends--;
						this.resent--;
					}
				}
				return false;
			}
			synchronized (this) {
				reading.sent = true;
				long timeout = (PacedDevices.this.ackTimeout != null) ? PacedDevices.this.ackTimeout.toNanos() : 0;
				reading.dueNanos = now + Math.min(timeout << Math.min(reading.resends, 10), MAX_BACKOFF.toNanos());
			}
			return true;
		}

		@Override
		public void messageArrived(String topic, MqttMessage message) {
			Ack ack;
			try {
				ack = PacedDevices.this.codec.decodeAck(message.getPayload());
			}
			catch (IllegalArgumentException ex) {
				return;
			}
			byte[] correlation = message.getProperties().getCorrelationData();
			if (correlation == null || !this.id.equals(ack.deviceId())) {
				return;
			}
			long seq = Long.parseLong(new String(correlation, StandardCharsets.UTF_8));
			long now = System.nanoTime();
			synchronized (this) {
				if (seq < 0 || seq >= this.numberedAt.size()) {
					return;
				}
				this.answers.get((int) seq).merge(ack.status(), 1, Integer::sum);
				if (this.answeredAt.get((int) seq) == 0L) {
					this.answeredAt.set((int) seq, now);
				}
				this.pending.remove(seq);
				this.highestAnswered = Math.max(this.highestAnswered, seq);
			}
		}

		synchronized void addTo(Figures figures) {
			figures.numbered += this.numberedAt.size();
			figures.resent += this.resent;
			figures.connectionsLost += this.connectionsLost;
			for (Map<AckStatus, Integer> answers : this.answers) {
				int count = answers.values().stream().mapToInt(Integer::intValue).sum();
				figures.answered += (count > 0) ? 1 : 0;
				figures.answeredAgain += (count > 1) ? 1 : 0;
				figures.storedTwice += (answers.getOrDefault(AckStatus.STORED, 0) > 1) ? 1 : 0;
				answers.forEach((status, times) -> figures.answers.merge(status, (long) times, Long::sum));
			}
		}

		synchronized long lastAnswerOfReadingsNumberedBefore(long nanos) {
			long last = Long.MIN_VALUE;
			for (int seq = 0; seq < this.numberedAt.size() && this.numberedAt.get(seq) - nanos <= 0; seq++) {
				long answered = this.answeredAt.get(seq);
				last = (answered == 0) ? Long.MAX_VALUE : Math.max(last, answered);
			}
			return last;
		}

		synchronized void unanswered(List<String> into, int max) {
			for (Long seq : this.pending.keySet()) {
				if (into.size() >= max) {
					return;
				}
				into.add(this.id + ":" + seq);
			}
		}

		private byte[] encode(long seq) {
			return PacedDevices.this.codec.encode(new Reading(this.id, seq, Instant.now(),
					1000 / PacedDevices.this.perSecond, 1234.5, 20 * Math.log10(1234.5 / Reading.FULL_SCALE), 4000,
					"paced"));
		}

		@Override
		public synchronized void disconnected(MqttDisconnectResponse response) {
			this.connectionsLost++;
		}

		@Override
		public void mqttErrorOccurred(MqttException exception) {
		}

		@Override
		public void deliveryComplete(IMqttToken token) {
		}

		@Override
		public void connectComplete(boolean reconnect, String serverURI) {
		}

		@Override
		public void authPacketArrived(int reasonCode, MqttProperties properties) {
		}

		void close() {
			try {
				if (this.client.isConnected()) {
					this.client.disconnect().waitForCompletion(5_000);
				}
				this.client.close(true);
			}
			catch (MqttException ex) {
				// closing anyway
			}
		}

	}

}
