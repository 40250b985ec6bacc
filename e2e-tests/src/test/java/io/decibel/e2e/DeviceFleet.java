package io.decibel.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.mqtt.MessageCallback;
import io.decibel.mqtt.NoDelaySocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttReturnCode;

/**
 * Simulated devices in the test's JVM, each on a Paho v5 connection of its own, publishing readings at a steady rate
 * as the real publisher does: QoS 1, Response Topic {@code {root}/{deviceId}/ack}, the seq as Correlation Data. Each
 * device keeps its unanswered readings and re-sends them, same seq and same bytes, on its own schedule:
 * <ul>
 * <li>a reading whose publish the client refused (not connected, in-flight window full) goes out at the next tick;</li>
 * <li>an overdue reading (no answer within the ACK timeout) goes again when a later reading of the device has been
 * answered (it looks lost), or, while no answer comes at all, only the oldest one goes, as a probe;</li>
 * <li>each re-send doubles the reading's wait, up to {@link #MAX_BACKOFF}: a relay that is catching up is not
 * flooded.</li>
 * </ul>
 * A fleet made {@linkplain #withoutResends without re-sends} publishes each reading once (as a device does that keeps
 * no outbox): what the broker or the relay loses stays lost.
 * Any answer (STORED, DUPLICATE, REJECTED, CONFLICT) settles a reading; the first one counts. Sampling and re-sending
 * run on one scheduler thread, answers on Paho's threads: the fleet costs the test JVM little.
 */
final class DeviceFleet implements AutoCloseable {

	static final Duration MAX_BACKOFF = Duration.ofSeconds(20);

	private static final long TICK_MILLIS = 100;

	private static final long RESEND_TICK_MILLIS = 250;

	private final Topics topics;

	private final int readingsPerSecondPerDevice;

	private final long ackTimeoutNanos;

	private final boolean resends;

	private final List<Device> devices = new ArrayList<>();

	private final TelemetryCodec codec = new TelemetryCodec();

	private final ScheduledExecutorService scheduler;

	private volatile long samplingStartedNanos;

	private volatile boolean sampling;

	/**
	 * Connects the devices ({@code {idPrefix}-00}, {@code -01}, …) and subscribes each to its ACKs; sampling starts
	 * with {@link #startSampling()}.
	 */
	DeviceFleet(String mqttUrl, String topicRoot, String idPrefix, int devices, int readingsPerSecondPerDevice,
			Duration ackTimeout) throws MqttException, InterruptedException {
		this(mqttUrl, topicRoot, idPrefix, devices, readingsPerSecondPerDevice, ackTimeout, true);
	}

	/** Devices that publish each reading once; a publish the client refused still goes out at the next tick. */
	static DeviceFleet withoutResends(String mqttUrl, String topicRoot, String idPrefix, int devices,
			int readingsPerSecondPerDevice) throws MqttException, InterruptedException {
		return new DeviceFleet(mqttUrl, topicRoot, idPrefix, devices, readingsPerSecondPerDevice, Duration.ofSeconds(5),
				false);
	}

	private DeviceFleet(String mqttUrl, String topicRoot, String idPrefix, int devices, int readingsPerSecondPerDevice,
			Duration ackTimeout, boolean resends) throws MqttException, InterruptedException {
		this.resends = resends;
		this.topics = new Topics(topicRoot);
		this.readingsPerSecondPerDevice = readingsPerSecondPerDevice;
		this.ackTimeoutNanos = ackTimeout.toNanos();
		this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "fleet-" + topicRoot);
			thread.setDaemon(true);
			return thread;
		});
		for (int d = 0; d < devices; d++) {
			this.devices.add(new Device(mqttUrl, String.format("%s-%02d", idPrefix, d), topicRoot));
		}
		for (Device device : this.devices) {
			if (!device.subscribed.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException(device.id + " could not subscribe to its ACKs");
			}
		}
	}

	void startSampling() {
		this.samplingStartedNanos = System.nanoTime();
		this.sampling = true;
		this.scheduler.scheduleAtFixedRate(this::sample, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
		this.scheduler.scheduleWithFixedDelay(this::resendOverdue, RESEND_TICK_MILLIS, RESEND_TICK_MILLIS,
				TimeUnit.MILLISECONDS);
	}

	/** No new readings from now on; the unanswered ones keep being re-sent. */
	void stopSampling() {
		this.sampling = false;
	}

	List<String> deviceIds() {
		return this.devices.stream().map((device) -> device.id).toList();
	}

	int size() {
		return this.devices.size();
	}

	/** Readings a second, of the whole fleet. */
	int rate() {
		return this.devices.size() * this.readingsPerSecondPerDevice;
	}

	/** How many readings the device numbered: seqs 0 to this minus one. */
	long numbered(String deviceId) {
		return device(deviceId).numbered();
	}

	/** The first answer to a reading, or {@code null} while it has none. */
	AckStatus answer(String deviceId, long seq) {
		return device(deviceId).answer(seq);
	}

	/** Whether the broker acknowledged (PUBACK) a publish of the reading. */
	boolean acceptedByBroker(String deviceId, long seq) {
		return device(deviceId).acceptedByBroker(seq);
	}

	/**
	 * Whether the device was without its connection at {@code at}, give or take {@code margin}: an answer (QoS 0)
	 * sent then is lost.
	 */
	boolean disconnectedAround(String deviceId, Instant at, Duration margin) {
		return device(deviceId).disconnectedAround(at, margin);
	}

	/** Whether sampling has stopped and every reading numbered has been answered. */
	boolean allAnswered() {
		return !this.sampling && this.devices.stream().allMatch(Device::settled);
	}

	/** A few unanswered readings, {@code device:seq}, for a failure's message. */
	List<String> unanswered(int max) {
		List<String> unanswered = new ArrayList<>();
		for (Device device : this.devices) {
			device.unanswered(max - unanswered.size()).forEach((seq) -> unanswered.add(device.id + ":" + seq));
		}
		return unanswered;
	}

	/**
	 * How long after {@code sinceNanos} (a {@link System#nanoTime()}) the last reading numbered before it was
	 * answered: how long the backlog of a fault took to drain; zero when they were all answered before.
	 */
	Duration drainedAfter(long sinceNanos) {
		long last = sinceNanos;
		for (Device device : this.devices) {
			last = Math.max(last, device.lastAnswerOfReadingsNumberedBefore(sinceNanos));
		}
		return Duration.ofNanos(last - sinceNanos);
	}

	Figures figures() {
		Figures figures = new Figures();
		for (Device device : this.devices) {
			device.addTo(figures);
		}
		return figures;
	}

	@Override
	public void close() {
		this.sampling = false;
		this.scheduler.shutdownNow();
		for (Device device : this.devices) {
			device.close();
		}
	}

	private Device device(String deviceId) {
		return this.devices.stream()
			.filter((device) -> device.id.equals(deviceId))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("no device " + deviceId));
	}

	private void sample() {
		if (!this.sampling) {
			return;
		}
		// as many readings as the rate asks for by now: a late tick catches up instead of lowering the rate
		long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.samplingStartedNanos);
		long due = elapsedMillis * this.readingsPerSecondPerDevice / 1000 + 1;
		for (Device device : this.devices) {
			device.sampleUpTo(due);
		}
	}

	private void resendOverdue() {
		for (Device device : this.devices) {
			device.resendOverdue();
		}
	}

	/** What the fleet did, summed over its devices. */
	static final class Figures {

		long numbered;

		long answered;

		long resent;

		/** Publishes the client refused (not connected, in-flight window full): sent again at the next tick. */
		long refused;

		/**
		 * Publishes the broker acknowledged with reason code 0x10, No matching subscribers: accepted, and routed to
		 * nobody (a relay's subscription missing at the broker).
		 */
		long noMatchingSubscribers;

		final Map<AckStatus, Long> statuses = new EnumMap<>(AckStatus.class);

		long status(AckStatus status) {
			return this.statuses.getOrDefault(status, 0L);
		}

	}

	/** One reading the device has numbered and not yet seen answered. */
	private static final class Pending {

		final long seq;

		final byte[] payload;

		/** Whether the client has taken it at least once. */
		boolean sent;

		int resends;

		long dueNanos;

		Pending(long seq, byte[] payload) {
			this.seq = seq;
			this.payload = payload;
		}

	}

	private final class Device implements MessageCallback {

		final String id;

		final String readingsTopic;

		final String acksTopic;

		final MqttAsyncClient client;

		final CountDownLatch subscribed = new CountDownLatch(1);

		/** Guarded by this device, like every field below. */
		final TreeMap<Long, Pending> pending = new TreeMap<>();

		long nextSeq;

		long[] numberedAt = new long[1024];

		long[] answeredAt = new long[1024];

		AckStatus[] answers = new AckStatus[1024];

		long highestAnswered = -1;

		long answered;

		long resent;

		final AtomicLong refused = new AtomicLong();

		final AtomicLong noMatchingSubscribers = new AtomicLong();

		/** Seqs the broker acknowledged a publish of; guarded by this device. */
		final BitSet accepted = new BitSet();

		/** When the device lost its connection and got it back ({@code null}: not yet); guarded by this device. */
		final List<Instant[]> disconnections = new ArrayList<>();

		final Map<AckStatus, Long> statuses = new EnumMap<>(AckStatus.class);

		Device(String url, String id, String topicRoot) throws MqttException {
			this.id = id;
			this.readingsTopic = DeviceFleet.this.topics.readings(id);
			this.acksTopic = DeviceFleet.this.topics.acks(id);
			this.client = new MqttAsyncClient(url, topicRoot + "-" + id, new MemoryPersistence());
			this.client.setCallback(this);
			MqttConnectionOptions options = new MqttConnectionOptions();
			// the device's own re-sends carry it through a lost connection; its ACKs come at QoS 0 anyway
			options.setCleanStart(true);
			options.setAutomaticReconnect(true);
			options.setAutomaticReconnectDelay(1, 5);
			options.setKeepAliveInterval(10);
			options.setConnectionTimeout(10);
			if (url.startsWith("tcp://")) {
				options.setSocketFactory(new NoDelaySocketFactory());
			}
			this.client.connect(options);
		}

		synchronized long numbered() {
			return this.nextSeq;
		}

		synchronized AckStatus answer(long seq) {
			return (seq < this.nextSeq) ? this.answers[(int) seq] : null;
		}

		synchronized boolean acceptedByBroker(long seq) {
			return this.accepted.get((int) seq);
		}

		synchronized boolean disconnectedAround(Instant at, Duration margin) {
			for (Instant[] disconnection : this.disconnections) {
				Instant back = (disconnection[1] != null) ? disconnection[1] : Instant.MAX.minus(margin);
				if (!at.isBefore(disconnection[0].minus(margin)) && !at.isAfter(back.plus(margin))) {
					return true;
				}
			}
			return false;
		}

		synchronized boolean settled() {
			return this.pending.isEmpty();
		}

		synchronized List<Long> unanswered(int max) {
			return this.pending.keySet().stream().limit(Math.max(0, max)).toList();
		}

		synchronized long lastAnswerOfReadingsNumberedBefore(long nanos) {
			long last = Long.MIN_VALUE;
			for (int seq = 0; seq < this.nextSeq && this.numberedAt[seq] - nanos <= 0; seq++) {
				last = (this.answeredAt[seq] == 0) ? Long.MAX_VALUE : Math.max(last, this.answeredAt[seq]);
			}
			return last;
		}

		synchronized void addTo(Figures figures) {
			figures.numbered += this.nextSeq;
			figures.answered += this.answered;
			figures.resent += this.resent;
			figures.refused += this.refused.get();
			figures.noMatchingSubscribers += this.noMatchingSubscribers.get();
			this.statuses.forEach((status, count) -> figures.statuses.merge(status, count, Long::sum));
		}

		void sampleUpTo(long due) {
			List<Pending> toSend = new ArrayList<>();
			long now = System.nanoTime();
			synchronized (this) {
				while (this.nextSeq < due) {
					long seq = this.nextSeq++;
					grow(seq);
					this.numberedAt[(int) seq] = now;
					Pending reading = new Pending(seq, encode(seq));
					reading.dueNanos = now + DeviceFleet.this.ackTimeoutNanos;
					this.pending.put(seq, reading);
					toSend.add(reading);
				}
			}
			send(toSend, false);
		}

		void resendOverdue() {
			List<Pending> unsent = new ArrayList<>();
			List<Pending> overdue = new ArrayList<>();
			long now = System.nanoTime();
			synchronized (this) {
				Long oldest = this.pending.isEmpty() ? null : this.pending.firstKey();
				for (Pending reading : this.pending.values()) {
					if (reading.dueNanos - now > 0) {
						continue;
					}
					if (!reading.sent) {
						unsent.add(reading);
					}
					else if (DeviceFleet.this.resends
							&& (reading.seq < this.highestAnswered || reading.seq == oldest)) {
						reading.resends++;
						this.resent++;
						long backoff = Math.min(DeviceFleet.this.ackTimeoutNanos << Math.min(reading.resends, 10),
								MAX_BACKOFF.toNanos());
						reading.dueNanos = now + backoff;
						overdue.add(reading);
					}
				}
			}
			send(unsent, false);
			send(overdue, true);
		}

		/**
		 * Outside the device's lock: Paho's threads take it to deliver answers. The first refusal ends the round: the
		 * rest would be refused too (the client is not connected, or its in-flight window is full) and go at the
		 * next tick.
		 */
		private void send(List<Pending> readings, boolean resend) {
			for (int i = 0; i < readings.size(); i++) {
				Pending reading = readings.get(i);
				MqttMessage message = new MqttMessage(reading.payload);
				message.setQos(1);
				MqttProperties properties = new MqttProperties();
				properties.setResponseTopic(this.acksTopic);
				properties.setCorrelationData(Long.toString(reading.seq).getBytes(StandardCharsets.UTF_8));
				message.setProperties(properties);
				try {
					this.client.publish(this.readingsTopic, message, reading.seq, null);
					synchronized (this) {
						reading.sent = true;
					}
				}
				catch (MqttException ex) {
					this.refused.incrementAndGet();
					notSent(readings.subList(i, readings.size()), resend);
					return;
				}
			}
		}

		private synchronized void notSent(List<Pending> readings, boolean resend) {
			long now = System.nanoTime();
			for (Pending reading : readings) {
				if (resend) {
					// not re-sent after all, so not counted as one
					reading.resends--;
					this.resent--;
				}
				reading.dueNanos = now;
			}
		}

		private byte[] encode(long seq) {
			double rms = 100 + (seq * 37 + this.id.hashCode() & 0x7ff);
			return DeviceFleet.this.codec.encode(new Reading(this.id, seq, Instant.now(), 1000 / Math.max(1,
					DeviceFleet.this.readingsPerSecondPerDevice), rms, 20 * Math.log10(rms / Reading.FULL_SCALE),
					Math.min(Reading.FULL_SCALE, rms * 1.5), "fleet"));
		}

		private void grow(long seq) {
			if (seq >= this.numberedAt.length) {
				int size = this.numberedAt.length * 2;
				this.numberedAt = Arrays.copyOf(this.numberedAt, size);
				this.answeredAt = Arrays.copyOf(this.answeredAt, size);
				this.answers = Arrays.copyOf(this.answers, size);
			}
		}

		@Override
		public void messageArrived(String topic, MqttMessage message) {
			Ack ack;
			try {
				ack = DeviceFleet.this.codec.decodeAck(message.getPayload());
			}
			catch (IllegalArgumentException ex) {
				return;
			}
			byte[] correlation = (message.getProperties() != null) ? message.getProperties().getCorrelationData()
					: null;
			Long seq = ack.seq();
			if (correlation != null) {
				seq = Long.parseLong(new String(correlation, StandardCharsets.UTF_8));
			}
			if (seq == null || !this.id.equals(ack.deviceId())) {
				return;
			}
			long now = System.nanoTime();
			synchronized (this) {
				if (seq < 0 || seq >= this.nextSeq || this.answers[seq.intValue()] != null) {
					return;
				}
				int i = seq.intValue();
				this.answers[i] = ack.status();
				this.answeredAt[i] = now;
				this.pending.remove(seq);
				this.highestAnswered = Math.max(this.highestAnswered, seq);
				this.answered++;
				this.statuses.merge(ack.status(), 1L, Long::sum);
			}
		}

		@Override
		public void deliveryComplete(IMqttToken token) {
			if (token.getUserContext() instanceof Long seq) {
				synchronized (this) {
					this.accepted.set(seq.intValue());
				}
				int[] reasonCodes = token.getReasonCodes();
				if (reasonCodes != null && reasonCodes.length > 0
						&& reasonCodes[0] == MqttReturnCode.RETURN_CODE_NO_MATCHING_SUBSCRIBERS) {
					this.noMatchingSubscribers.incrementAndGet();
				}
			}
		}

		/** Subscribed again after a lost connection: the disconnection ends here, not at the CONNACK. */
		synchronized void answersReachItAgain() {
			if (!this.disconnections.isEmpty()) {
				this.disconnections.get(this.disconnections.size() - 1)[1] = Instant.now();
			}
		}

		@Override
		public void disconnected(MqttDisconnectResponse response) {
			synchronized (this) {
				this.disconnections.add(new Instant[] { Instant.now(), null });
			}
		}

		@Override
		public void connectComplete(boolean reconnect, String serverURI) {
			// asynchronously: waiting for the SUBACK on Paho's callback thread would block it
			try {
				this.client.subscribe(new MqttSubscription[] { new MqttSubscription(this.acksTopic, 0) }, null, new MqttActionListener() {

					@Override
					public void onSuccess(IMqttToken token) {
						Device.this.answersReachItAgain();
						Device.this.subscribed.countDown();
					}

					@Override
					public void onFailure(IMqttToken token, Throwable failure) {
						System.err.println(Device.this.id + " could not subscribe to its ACKs: " + failure);
					}

				}, new MqttProperties());
			}
			catch (MqttException ex) {
				System.err.println(this.id + " could not subscribe to its ACKs: " + ex);
			}
		}

		void close() {
			try {
				if (this.client.isConnected()) {
					this.client.disconnect().waitForCompletion(5_000);
				}
			}
			catch (MqttException ex) {
				// closing anyway
			}
			try {
				this.client.close(true);
			}
			catch (MqttException ex) {
				// nothing left to do
			}
		}

	}

}
