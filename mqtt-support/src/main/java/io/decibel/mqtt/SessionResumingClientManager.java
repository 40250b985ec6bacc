package io.decibel.mqtt;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.integration.mqtt.core.Mqttv5ClientManager;

/**
 * A client manager that does not lose the messages of a resumed session. With clean start off, the broker sends
 * what it queued for the client right after the CONNACK — before the inbound adapter, which starts later, has
 * registered with the manager; the plain manager would drop those messages on the floor (the cause of
 * paho.mqtt.java#1048 and spring-integration#9784 as seen from Spring Integration). Here they wait for the adapter.
 * <p>
 * After an automatic reconnect the adapters subscribe again, each waiting for its SUBACK; the plain manager has them
 * wait on Paho's callback thread. A resumed session's queued messages arrive first, fill Paho's small inbound queue
 * while that thread waits, and the thread that would read the SUBACK blocks behind them: nothing moves until the
 * subscription times out (30 s, and an error in the log). Here the adapters are told on a thread of their own.
 * <p>
 * Its client also says, in one line per attempt, why the broker refused a connection (a wrong password, an unknown
 * certificate): the plain manager leaves the first failure and every automatic retry unlogged.
 * <p>
 * It keeps the {@link ConnectionEpoch}: which connection is current, so that no delivery is acknowledged on another;
 * and renews a connection when asked ({@link ConnectionEpoch#renew}): DISCONNECT, then a new connection that resumes
 * the session, on which the broker sends again what was not acknowledged. It notes what the broker granted the
 * adapters' subscriptions on each connection ({@link #isSubscribed()}), for readiness.
 * <p>
 * Its client runs on an executor of its own rather than on threads it starts itself. When a connection is lost,
 * Paho stops the callback thread of that connection by interrupting it, and can do that only for a thread it runs on
 * an executor; otherwise it just asks it to stop, and the reconnect, having opened the new TCP connection, waits for
 * that thread to finish before it sends the CONNECT — for ever if the thread was blocked in application code, as the
 * old thread never wakes the new connection's. The broker then sees a client that never sends CONNECT
 * ({@code Client <unknown> has exceeded timeout}), and the service stays disconnected after the blockage ends.
 */
class SessionResumingClientManager extends Mqttv5ClientManager {

	private static final Logger LOG = LoggerFactory.getLogger(SessionResumingClientManager.class);

	private static final long ADAPTER_WAIT_SECONDS = 60;

	private static final int PAHO_THREADS = 10;

	/**
	 * How long a DISCONNECT may wait for the client's outgoing messages (replies at QoS 0) to be written: Paho drops
	 * what is still queued after it. It returns as soon as all is written; a writer that has just stored a few
	 * thousand readings has as many replies queued, and a loaded machine writes them slower than 500 ms.
	 */
	private static final long RENEW_QUIESCE_MILLIS = 10_000;

	private final CountDownLatch adapterRegistered = new CountDownLatch(1);

	private final MqttClientPersistence persistence;

	private final Executor reconnects = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "mqtt-reconnected");
		thread.setDaemon(true);
		return thread;
	});

	private final @Nullable String username;

	private final ConnectionEpoch epoch;

	private final Subscriptions subscriptions;

	private volatile boolean connectedBefore;

	private volatile @Nullable MqttAsyncClient client;

	private @Nullable ScheduledExecutorService threads;

	SessionResumingClientManager(MqttConnectionOptions connectionOptions, String clientId,
			MqttClientPersistence persistence, @Nullable String username, ConnectionEpoch epoch) {
		super(connectionOptions, clientId);
		this.persistence = persistence;
		this.username = username;
		this.epoch = epoch;
		this.subscriptions = new Subscriptions(epoch);
		setPersistence(persistence);
		epoch.renewWith(this::renew);
	}

	@Override
	public void start() {
		this.lock.lock();
		try {
			if (getClient() == null) {
				// the manager's own client would retry a refused connection without a word: this one says why
				this.threads = pahoThreads(getClientId());
				MqttAsyncClient client = new ConnectFailureLoggingClient(getUrl(), getClientId(), this.persistence,
						this.username, this.threads, this.subscriptions);
				client.setManualAcks(isManualAcks());
				client.setCallback(this);
				setClient(client);
				this.client = client;
			}
		}
		catch (MqttException ex) {
			throw new IllegalStateException("Could not create the MQTT client " + getClientId(), ex);
		}
		finally {
			this.lock.unlock();
		}
		super.start();
	}

	/**
	 * Paho's threads for one client: reading, writing, the callback and a connection attempt run at once, and a few
	 * more while a lost connection's threads end and the next connection's start. Not daemons, as Paho's own are not:
	 * a service without a web server lives as long as its MQTT connection; {@link #stop()} ends them.
	 */
	private static ScheduledExecutorService pahoThreads(String clientId) {
		AtomicInteger count = new AtomicInteger();
		return Executors.newScheduledThreadPool(PAHO_THREADS,
				(task) -> new Thread(task, "mqtt-" + clientId + "-" + count.incrementAndGet()));
	}

	@Override
	public void stop() {
		super.stop();
		this.lock.lock();
		try {
			if (this.threads != null) {
				this.threads.shutdownNow();
				this.threads = null;
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Closes the connection with this number, if it is still the current one, and opens another that resumes the
	 * session (clean start off): the broker sends again every delivery of the session not acknowledged.
	 */
	private boolean renew(long connection) {
		MqttAsyncClient client = this.client;
		// the epoch moves before the DISCONNECT: no PUBACK of this connection can go out on the next one
		if (client == null || !this.epoch.closing(connection)) {
			return false;
		}
		LOG.info("Renewing the MQTT connection: DISCONNECT, then a connection that resumes the session");
		awaitWritten(client);
		try {
			client.disconnect(RENEW_QUIESCE_MILLIS)
				.waitForCompletion(RENEW_QUIESCE_MILLIS + getDisconnectCompletionTimeout());
		}
		catch (MqttException ex) {
			LOG.warn("The DISCONNECT did not complete ({}); connecting again all the same", ex.getMessage());
		}
		try {
			// a connection of the client's own: Paho retries with back-off if this attempt fails
			client.reconnect();
		}
		catch (MqttException ex) {
			LOG.warn("Could not start a new MQTT connection ({}); Paho's automatic reconnect takes over",
					ex.getMessage());
		}
		return true;
	}

	/** Waits (up to the quiesce time) until the publishes handed to the client are written: the replies. */
	private static void awaitWritten(MqttAsyncClient client) {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RENEW_QUIESCE_MILLIS);
		try {
			while (client.getPendingTokens().length > 0 && System.nanoTime() < deadline) {
				Thread.sleep(5);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Whether every inbound adapter's subscription was granted on the current connection (a SUBACK with a granted
	 * QoS for each topic filter). Not while disconnected: a new connection starts with none.
	 */
	boolean isSubscribed() {
		// each inbound adapter registers one handler and subscribes once on every connection
		return isConnected() && this.subscriptions.granted(getDefaultMessageHandlers().size());
	}

	/** Why a subscription of the current connection is not in place, or {@code null}. */
	@Nullable String subscriptionRefusal() {
		return this.subscriptions.refusal();
	}

	/** Called on Paho's callback thread, which delivers the connection's first message only after it. */
	@Override
	public void connectComplete(boolean reconnect, String serverURI) {
		MqttAsyncClient client = this.client;
		if (client != null) {
			this.epoch.connected(client::isConnected);
		}
		// a renewed connection is a reconnect too, though Paho says so only of its automatic ones
		boolean again = reconnect || this.connectedBefore;
		this.connectedBefore = true;
		if (again) {
			this.reconnects.execute(() -> super.connectComplete(true, serverURI));
		}
		else {
			super.connectComplete(false, serverURI);
		}
	}

	@Override
	public void disconnected(MqttDisconnectResponse disconnectResponse) {
		this.epoch.disconnected();
		super.disconnected(disconnectResponse);
	}

	@Override
	public <M> void addDefaultMessageHandler(DefaultMessageHandler<M> defaultMessageHandler) {
		super.addDefaultMessageHandler(defaultMessageHandler);
		this.adapterRegistered.countDown();
	}

	@Override
	public void messageArrived(String topic, MqttMessage message) {
		try {
			// blocks Paho's callback thread only until the application has started its adapters
			if (!this.adapterRegistered.await(ADAPTER_WAIT_SECONDS, TimeUnit.SECONDS)) {
				LOG.warn("No inbound adapter took a message on {} within {} s; it stays unacknowledged", topic,
						ADAPTER_WAIT_SECONDS);
				return;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return;
		}
		super.messageArrived(topic, message);
	}

}
