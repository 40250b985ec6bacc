package io.decibel.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.mqtt.MessageCallback;
import io.decibel.mqtt.NoDelaySocketFactory;
import org.HdrHistogram.Histogram;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Simulated devices on a few Paho v5 connections, publishing readings as the real publisher does (QoS 1, Response
 * Topic and Correlation Data = the seq) and timing each one until its ACK. Reading {@code i} of a phase belongs to
 * device {@code i % devices}; each device is served by one connection, which also receives its ACKs.
 * <p>
 * Paho throws instead of queueing when as many publishes are in flight as the broker's Receive Maximum allows, so
 * each connection holds a semaphore of that size, taken before a publish and given back on its PUBACK. Like real
 * devices, which keep a bounded outbox, the devices of a connection also wait once they have {@code outstanding}
 * readings without an ACK: the broker then holds a short queue, as in service, instead of the whole run (HiveMQ CE
 * removes an acknowledged message from a shared subscription's in-memory queue by a linear search, so a queue of
 * every reading of the run would measure that search, not the responder). The outboxes belong to a phase: readings
 * a phase gave up on do not take room from the next one.
 */
final class LoadGenerator implements AutoCloseable {

	private static final long PHASE_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);

	private final Topics topics;

	private final int devices;

	private final int outboxPerConnection;

	private final List<Connection> connections = new ArrayList<>();

	private final TelemetryCodec codec = new TelemetryCodec();

	private volatile Phase phase;

	LoadGenerator(String url, String topicRoot, int devices, int connections, int outstanding) throws MqttException {
		this.topics = new Topics(topicRoot);
		this.devices = devices;
		this.outboxPerConnection = Math.max(1, outstanding / connections);
		String run = UUID.randomUUID().toString().substring(0, 8);
		for (int c = 0; c < connections; c++) {
			this.connections.add(new Connection(url, "bench-" + run + "-" + c, c));
		}
		for (int c = 0; c < connections; c++) {
			Connection connection = this.connections.get(c);
			List<MqttSubscription> acks = new ArrayList<>();
			for (int d = c; d < devices; d += connections) {
				acks.add(new MqttSubscription(this.topics.acks(deviceId(d)), 1));
			}
			connection.client.subscribe(acks.toArray(MqttSubscription[]::new)).waitForCompletion(10_000);
		}
	}

	static String deviceId(int device) {
		return String.format("bench-device-%04d", device);
	}

	/** The in-flight window of each connection, as the broker announced it. */
	int receiveMaximum() {
		return this.connections.get(0).receiveMaximum;
	}

	/**
	 * Publishes {@code count} readings as fast as the outboxes allow, one thread per connection; latency counts from
	 * the moment each reading was ready, its wait for room in the outbox included.
	 */
	PhaseResult throughput(int count, long seqBase) throws InterruptedException {
		return asFastAsAllowed("throughput", count, seqBase, this.outboxPerConnection);
	}

	/**
	 * Publishes {@code count} readings at once, open loop: as fast as the broker takes them (its Receive Maximum),
	 * with no outbox to wait for, by devices that never send a reading again. The broker holds what the responder has
	 * not taken yet, as it holds a backlog for a relay back from an outage; the responder must take it all.
	 */
	PhaseResult burst(int count, long seqBase) throws InterruptedException {
		return asFastAsAllowed("burst", count, seqBase, count);
	}

	private PhaseResult asFastAsAllowed(String mode, int count, long seqBase, int outbox) throws InterruptedException {
		Phase phase = start(count, seqBase, 0, outbox);
		long deadline = phase.startNanos + PHASE_TIMEOUT_NANOS;
		List<Thread> publishers = new ArrayList<>();
		for (Connection connection : this.connections) {
			Thread publisher = new Thread(() -> {
				for (int i = connection.index; i < count; i++) {
					if (deviceOf(i) % this.connections.size() == connection.index) {
						phase.sentNanos.set(i, System.nanoTime());
						if (!connection.publish(phase, i, deadline)) {
							int first = i;
							phase.leaveOut((int) IntStream.range(first, count)
								.filter((left) -> deviceOf(left) % this.connections.size() == connection.index)
								.count());
							return;
						}
					}
				}
			}, "bench-publisher-" + connection.index);
			publishers.add(publisher);
			publisher.start();
		}
		for (Thread publisher : publishers) {
			publisher.join();
		}
		return phase.await(mode, deadline);
	}

	/**
	 * Offers {@code rate} readings a second for {@code duration}: reading {@code i} is due {@code i / rate} seconds
	 * after the start, and its latency counts from then, not from when it went out, so that a publisher held back
	 * cannot hide the wait it caused (coordinated omission). A reading whose connection has a full outbox when it is
	 * due waits for room, and the readings due after it wait behind it, in order: a responder that cannot keep up
	 * sees the readings it let queue, as a device's outbox would send them, and their latency grows with the queue.
	 * What is still unpublished {@code drain} after the phase's duration is left out (so a responder that cannot keep
	 * up ends its phase, not the run); then the phase waits at most {@code drain} again for the ACKs of what went out.
	 */
	PhaseResult atRate(int rate, Duration duration, Duration drain, long seqBase) throws InterruptedException {
		int count = (int) (rate * duration.toMillis() / 1000);
		Phase phase = start(count, seqBase, rate, this.outboxPerConnection);
		long begin = phase.startNanos;
		long publishUntil = begin + duration.toNanos() + drain.toNanos();
		for (int i = 0; i < count; i++) {
			long due = begin + i * TimeUnit.SECONDS.toNanos(1) / rate;
			long wait;
			while ((wait = due - System.nanoTime()) > 0) {
				LockSupport.parkNanos(wait);
			}
			phase.sentNanos.set(i, due);
			if (!this.connections.get(deviceOf(i) % this.connections.size()).publish(phase, i, publishUntil)) {
				phase.leaveOut(count - i);
				break;
			}
		}
		return phase.await(String.format(Locale.ROOT, "%,d/s", rate), System.nanoTime() + drain.toNanos());
	}

	private int deviceOf(int reading) {
		return reading % this.devices;
	}

	/** @param deadline a {@link System#nanoTime()} */
	private static boolean acquire(Semaphore semaphore, long deadline) {
		try {
			return semaphore.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private Phase start(int count, long seqBase, int rate, int outbox) {
		Instant sampledAt = Instant.now();
		byte[][] payloads = new byte[count][];
		for (int i = 0; i < count; i++) {
			long seq = seqBase + i / this.devices;
			double rms = 100 + (i % 3000);
			payloads[i] = this.codec.encode(new Reading(deviceId(deviceOf(i)), seq, sampledAt, 1000, rms,
					20 * Math.log10(rms / Reading.FULL_SCALE), Math.min(Reading.FULL_SCALE, rms * 1.5), "bench"));
		}
		Phase phase = new Phase(count, seqBase, rate, payloads, outbox);
		this.phase = phase;
		return phase;
	}

	@Override
	public void close() {
		for (Connection connection : this.connections) {
			connection.close();
		}
	}

	/**
	 * What one phase measured, from the device side.
	 *
	 * @param rate the readings a second it offered; 0 for as fast as the outboxes allow
	 * @param due the readings it was to publish
	 * @param published the readings it handed to the broker (fewer than due when it gave up waiting for room)
	 * @param seconds from the phase's start to its last ACK
	 */
	record PhaseResult(String mode, int rate, int due, int published, int acked, long duplicateAcks,
			long statusStored, long statusDuplicate, long statusRejected, long publishFailures, double seconds,
			Histogram latencyMicros) {

		/** Below this share of the offered rate, a responder did not keep up. */
		static final double KEPT_UP = 0.95;

		double ackedPerSecond() {
			return this.acked / this.seconds;
		}

		/**
		 * Whether the responder fell behind the offered rate: it ACKed markedly fewer readings a second than it was
		 * offered, or some could not even be published in time. Its latencies are then those of the queue the phase
		 * let grow, which depend on how long the phase lasts, not figures of the responder.
		 */
		boolean saturated() {
			return this.rate > 0 && (this.published < this.due || ackedPerSecond() < KEPT_UP * this.rate);
		}

	}

	private final class Phase {

		final int count;

		final long seqBase;

		final int rate;

		final byte[][] payloads;

		final AtomicLongArray sentNanos;

		final AtomicLongArray ackedNanos;

		final Semaphore[] outboxes;

		final Histogram[] histograms;

		/** Readings not yet answered: ACKed, failed, or left unpublished. */
		final CountDownLatch done;

		final AtomicInteger published = new AtomicInteger();

		final AtomicInteger acked = new AtomicInteger();

		final LongAdder duplicateAcks = new LongAdder();

		final LongAdder publishFailures = new LongAdder();

		final LongAdder[] statuses = { new LongAdder(), new LongAdder(), new LongAdder() };

		final long startNanos = System.nanoTime();

		volatile long endNanos;

		Phase(int count, long seqBase, int rate, byte[][] payloads, int outbox) {
			int connections = LoadGenerator.this.connections.size();
			this.count = count;
			this.seqBase = seqBase;
			this.rate = rate;
			this.payloads = payloads;
			this.sentNanos = new AtomicLongArray(count);
			this.ackedNanos = new AtomicLongArray(count);
			this.outboxes = new Semaphore[connections];
			this.histograms = new Histogram[connections];
			for (int c = 0; c < connections; c++) {
				this.outboxes[c] = new Semaphore(outbox);
				// microseconds, up to 10 minutes, 3 significant digits
				this.histograms[c] = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
			}
			this.done = new CountDownLatch(count);
		}

		/**
		 * Called on the callback thread of the connection that serves the device, holding its histogram.
		 * @return whether it is the first ACK of one of this phase's readings
		 */
		boolean acked(int connection, int device, long seq, byte[] payload) {
			long now = System.nanoTime();
			long i = (seq - this.seqBase) * LoadGenerator.this.devices + device;
			if (i < 0 || i >= this.count) {
				return false;
			}
			int reading = (int) i;
			if (!this.ackedNanos.compareAndSet(reading, 0, now)) {
				this.duplicateAcks.increment();
				return false;
			}
			AckStatus status = statusOf(payload);
			this.statuses[(status != null) ? status.ordinal() : AckStatus.REJECTED.ordinal()].increment();
			long micros = Math.max(0, (now - this.sentNanos.get(reading)) / 1000);
			this.histograms[connection].recordValue(Math.min(micros, this.histograms[connection].getHighestTrackableValue()));
			this.endNanos = now;
			this.acked.incrementAndGet();
			this.done.countDown();
			return true;
		}

		/**
		 * A publish that failed: no ACK will come, unless the broker took it after all (then counted as repeated).
		 * @return whether the reading was still unanswered
		 */
		boolean failed(int reading) {
			this.publishFailures.increment();
			if (this.ackedNanos.compareAndSet(reading, 0, -1)) {
				this.done.countDown();
				return true;
			}
			return false;
		}

		/** Readings the phase gave up publishing. */
		void leaveOut(int readings) {
			for (int r = 0; r < readings; r++) {
				this.done.countDown();
			}
		}

		private AckStatus statusOf(byte[] payload) {
			try {
				Ack ack = LoadGenerator.this.codec.decodeAck(payload);
				return ack.status();
			}
			catch (IllegalArgumentException ex) {
				return null;
			}
		}

		/** Waits until every reading published is answered, or until {@code deadline} ({@link System#nanoTime()}). */
		PhaseResult await(String mode, long deadline) throws InterruptedException {
			this.done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			long end = (this.endNanos != 0) ? this.endNanos : System.nanoTime();
			Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
			for (Histogram histogram : this.histograms) {
				synchronized (histogram) {
					latency.add(histogram);
				}
			}
			return new PhaseResult(mode, this.rate, this.count, this.published.get(), this.acked.get(),
					this.duplicateAcks.sum(), this.statuses[AckStatus.STORED.ordinal()].sum(),
					this.statuses[AckStatus.DUPLICATE.ordinal()].sum(),
					this.statuses[AckStatus.REJECTED.ordinal()].sum(), this.publishFailures.sum(),
					(end - this.startNanos) / 1e9, latency);
		}

	}

	private final class Connection implements MessageCallback {

		final int index;

		final MqttAsyncClient client;

		final int receiveMaximum;

		final Semaphore window;

		Connection(String url, String clientId, int index) throws MqttException {
			this.index = index;
			this.client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
			this.client.setCallback(this);
			MqttConnectionOptions options = new MqttConnectionOptions();
			options.setCleanStart(true);
			options.setAutomaticReconnect(false);
			if (url.startsWith("tcp://")) {
				options.setSocketFactory(new NoDelaySocketFactory());
			}
			IMqttToken connected = this.client.connect(options);
			connected.waitForCompletion(10_000);
			Integer announced = (connected.getResponseProperties() != null)
					? connected.getResponseProperties().getReceiveMaximum() : null;
			// MQTT 5: a broker that announces none allows 65535
			this.receiveMaximum = (announced != null) ? announced : 65_535;
			this.window = new Semaphore(this.receiveMaximum);
		}

		/**
		 * Publishes once the device's outbox and the connection's in-flight window have room.
		 * @return false if they had none by {@code deadline} ({@link System#nanoTime()}): the reading is not published
		 */
		boolean publish(Phase phase, int reading, long deadline) {
			int device = deviceOf(reading);
			long seq = phase.seqBase + reading / LoadGenerator.this.devices;
			MqttMessage message = new MqttMessage(phase.payloads[reading]);
			message.setQos(1);
			MqttProperties properties = new MqttProperties();
			properties.setResponseTopic(LoadGenerator.this.topics.acks(deviceId(device)));
			properties.setCorrelationData(Long.toString(seq).getBytes(StandardCharsets.UTF_8));
			message.setProperties(properties);
			Semaphore outbox = phase.outboxes[this.index];
			if (!acquire(outbox, deadline)) {
				return false;
			}
			if (!acquire(this.window, deadline)) {
				outbox.release();
				return false;
			}
			while (true) {
				try {
					this.client.publish(LoadGenerator.this.topics.readings(deviceId(device)), message, null,
							new MqttActionListener() {

								@Override
								public void onSuccess(IMqttToken token) {
									Connection.this.window.release();
								}

								@Override
								public void onFailure(IMqttToken token, Throwable failure) {
									if (phase.failed(reading)) {
										outbox.release();
									}
									Connection.this.window.release();
								}

							});
					phase.published.incrementAndGet();
					return true;
				}
				catch (MqttException ex) {
					if (ex.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
						if (phase.failed(reading)) {
							outbox.release();
						}
						this.window.release();
						return true;
					}
					// the PUBACK released our permit a moment before Paho counted it out of flight
					LockSupport.parkNanos(50_000);
				}
			}
		}

		@Override
		public void messageArrived(String topic, MqttMessage message) {
			Phase phase = LoadGenerator.this.phase;
			byte[] correlation = (message.getProperties() != null) ? message.getProperties().getCorrelationData()
					: null;
			if (phase == null || correlation == null) {
				return;
			}
			int device = deviceIndexOf(topic);
			if (device < 0) {
				return;
			}
			long seq;
			try {
				seq = Long.parseLong(new String(correlation, StandardCharsets.UTF_8));
			}
			catch (NumberFormatException ex) {
				return;
			}
			synchronized (phase.histograms[this.index]) {
				if (phase.acked(this.index, device, seq, message.getPayload())) {
					phase.outboxes[this.index].release();
				}
			}
		}

		// {root}/bench-device-0042/ack
		private int deviceIndexOf(String topic) {
			int end = topic.lastIndexOf('/');
			int start = topic.lastIndexOf('-', end);
			if (start < 0 || end < 0) {
				return -1;
			}
			try {
				return Integer.parseInt(topic, start + 1, end, 10);
			}
			catch (NumberFormatException ex) {
				return -1;
			}
		}

		void close() {
			try {
				this.client.disconnect().waitForCompletion(5_000);
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

		@Override
		public void disconnected(MqttDisconnectResponse response) {
			System.err.println("bench connection " + this.index + " lost: " + response);
		}

		@Override
		public void mqttErrorOccurred(MqttException exception) {
			System.err.println("bench connection " + this.index + ": " + exception);
		}

	}

}
