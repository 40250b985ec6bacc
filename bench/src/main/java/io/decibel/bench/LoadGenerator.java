package io.decibel.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.mqtt.NoDelaySocketFactory;
import org.HdrHistogram.Histogram;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
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
 * every reading of the run would measure that search, not the responder).
 */
final class LoadGenerator implements AutoCloseable {

	private static final long PHASE_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(10);

	private final Topics topics;

	private final int devices;

	private final List<Connection> connections = new ArrayList<>();

	private final TelemetryCodec codec = new TelemetryCodec();

	private volatile Phase phase;

	LoadGenerator(String url, String topicRoot, int devices, int connections, int outstanding) throws MqttException {
		this.topics = new Topics(topicRoot);
		this.devices = devices;
		String run = UUID.randomUUID().toString().substring(0, 8);
		for (int c = 0; c < connections; c++) {
			this.connections.add(new Connection(url, "bench-" + run + "-" + c, c, Math.max(1, outstanding / connections)));
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

	/** Publishes {@code count} readings as fast as the in-flight windows allow, one thread per connection. */
	PhaseResult throughput(int count, long seqBase) throws InterruptedException {
		Phase phase = start(count, seqBase);
		List<Thread> publishers = new ArrayList<>();
		for (Connection connection : this.connections) {
			Thread publisher = new Thread(() -> {
				for (int i = connection.index; i < count; i++) {
					if (deviceOf(i) % this.connections.size() == connection.index) {
						phase.sentNanos.set(i, System.nanoTime());
						connection.publish(phase, i);
					}
				}
			}, "bench-publisher-" + connection.index);
			publishers.add(publisher);
			publisher.start();
		}
		for (Thread publisher : publishers) {
			publisher.join();
		}
		return phase.await("throughput");
	}

	/**
	 * Publishes {@code rate} readings a second for {@code duration}. Latency counts from when each reading was due,
	 * not from when it went out, so that a stalled publisher cannot hide the wait it caused (coordinated omission).
	 */
	PhaseResult latency(int rate, Duration duration, long seqBase) throws InterruptedException {
		int count = (int) (rate * duration.toMillis() / 1000);
		Phase phase = start(count, seqBase);
		long interval = TimeUnit.SECONDS.toNanos(1) / rate;
		long begin = System.nanoTime();
		for (int i = 0; i < count; i++) {
			long due = begin + i * interval;
			long wait;
			while ((wait = due - System.nanoTime()) > 0) {
				LockSupport.parkNanos(wait);
			}
			phase.sentNanos.set(i, due);
			this.connections.get(deviceOf(i) % this.connections.size()).publish(phase, i);
		}
		return phase.await("latency");
	}

	private int deviceOf(int reading) {
		return reading % this.devices;
	}

	private Phase start(int count, long seqBase) {
		Instant sampledAt = Instant.now();
		byte[][] payloads = new byte[count][];
		for (int i = 0; i < count; i++) {
			long seq = seqBase + i / this.devices;
			double rms = 100 + (i % 3000);
			payloads[i] = this.codec.encode(new Reading(deviceId(deviceOf(i)), seq, sampledAt, 1000, rms,
					20 * Math.log10(rms / Reading.FULL_SCALE), Math.min(Reading.FULL_SCALE, rms * 1.5), "bench"));
		}
		Phase phase = new Phase(count, seqBase, payloads, this.connections.size());
		this.phase = phase;
		return phase;
	}

	@Override
	public void close() {
		for (Connection connection : this.connections) {
			connection.close();
		}
	}

	/** What one phase measured, from the device side. */
	record PhaseResult(String mode, int published, int acked, long duplicateAcks, long statusStored,
			long statusDuplicate, long statusRejected, long publishFailures, double seconds, Histogram latencyMicros) {

		double ackedPerSecond() {
			return this.acked / this.seconds;
		}

	}

	private final class Phase {

		final int count;

		final long seqBase;

		final byte[][] payloads;

		final AtomicLongArray sentNanos;

		final AtomicLongArray ackedNanos;

		final Histogram[] histograms;

		final CountDownLatch done;

		final AtomicInteger lastAck = new AtomicInteger();

		final LongAdder duplicateAcks = new LongAdder();

		final LongAdder publishFailures = new LongAdder();

		final LongAdder[] statuses = { new LongAdder(), new LongAdder(), new LongAdder() };

		final long startNanos = System.nanoTime();

		volatile long endNanos;

		Phase(int count, long seqBase, byte[][] payloads, int connections) {
			this.count = count;
			this.seqBase = seqBase;
			this.payloads = payloads;
			this.sentNanos = new AtomicLongArray(count);
			this.ackedNanos = new AtomicLongArray(count);
			this.histograms = new Histogram[connections];
			for (int c = 0; c < connections; c++) {
				// microseconds, up to 10 minutes, 3 significant digits
				this.histograms[c] = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
			}
			this.done = new CountDownLatch(count);
		}

		/** Called on the callback thread of the connection that serves the device. */
		/** @return whether it is the first ACK of one of this phase's readings */
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
			this.done.countDown();
			return true;
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

		PhaseResult await(String mode) throws InterruptedException {
			this.done.await(PHASE_TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
			int acked = this.count - (int) this.done.getCount();
			long end = (this.endNanos != 0) ? this.endNanos : System.nanoTime();
			Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
			for (Histogram histogram : this.histograms) {
				synchronized (histogram) {
					latency.add(histogram);
				}
			}
			return new PhaseResult(mode, this.count, acked, this.duplicateAcks.sum(),
					this.statuses[AckStatus.STORED.ordinal()].sum(), this.statuses[AckStatus.DUPLICATE.ordinal()].sum(),
					this.statuses[AckStatus.REJECTED.ordinal()].sum(), this.publishFailures.sum(),
					(end - this.startNanos) / 1e9, latency);
		}

	}

	private final class Connection implements MqttCallback {

		final int index;

		final MqttAsyncClient client;

		final int receiveMaximum;

		final Semaphore window;

		final Semaphore outstanding;

		Connection(String url, String clientId, int index, int outstanding) throws MqttException {
			this.index = index;
			this.outstanding = new Semaphore(outstanding);
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

		void publish(Phase phase, int reading) {
			int device = deviceOf(reading);
			long seq = phase.seqBase + reading / LoadGenerator.this.devices;
			MqttMessage message = new MqttMessage(phase.payloads[reading]);
			message.setQos(1);
			MqttProperties properties = new MqttProperties();
			properties.setResponseTopic(LoadGenerator.this.topics.acks(deviceId(device)));
			properties.setCorrelationData(Long.toString(seq).getBytes(StandardCharsets.UTF_8));
			message.setProperties(properties);
			this.outstanding.acquireUninterruptibly();
			this.window.acquireUninterruptibly();
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
									phase.publishFailures.increment();
									Connection.this.window.release();
								}

							});
					return;
				}
				catch (MqttException ex) {
					if (ex.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
						phase.publishFailures.increment();
						this.window.release();
						this.outstanding.release();
						return;
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
					this.outstanding.release();
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

		@Override
		public void deliveryComplete(IMqttToken token) {
		}

		@Override
		public void connectComplete(boolean reconnect, String serverURI) {
		}

		@Override
		public void authPacketArrived(int reasonCode, MqttProperties properties) {
		}

	}

}
