package io.decibel.mqtt;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.eclipse.paho.mqttv5.client.IMqttAsyncClient;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
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
 * and renews a connection when asked ({@link ConnectionEpoch#renew}): a fence (an UNSUBSCRIBE, whose UNSUBACK says the
 * broker has processed everything written before it), DISCONNECT, the old socket closed, then a new connection that
 * resumes the session, on which the broker sends again what was not acknowledged. It notes what the broker granted the
 * adapters' subscriptions on each connection ({@link #isSubscribed}), for readiness.
 * <p>
 * Every new connection — after a renewal, after a connection lost, after a failed attempt — is made by a new Paho
 * client with the same client id (clean start as configured, off for the relay), on a thread of the manager's own,
 * with back-off ({@code automaticReconnectDelay}) for as long as it takes. Paho's own automatic reconnect is off: it
 * keeps the client of the lost connection, and with it the delivery tokens of the publishes that connection never
 * wrote — they never complete nor free their message ids, so {@code getPendingTokens()} never empties and the ids run
 * out — and it does not reconnect at all after a DISCONNECT the client sent, so a renewal that failed halfway left
 * the service disconnected for good. The adapters hold one client for their whole life: they get a stand-in
 * ({@link #getClient()}) that forwards to the current one.
 * <p>
 * Its client runs on an executor of its own rather than on threads it starts itself. When a connection is lost,
 * Paho stops the callback thread of that connection by interrupting it, and can do that only for a thread it runs on
 * an executor; otherwise it just asks it to stop, and the reconnect, having opened the new TCP connection, waits for
 * that thread to finish before it sends the CONNECT — for ever if the thread was blocked in application code, as the
 * old thread never wakes the new connection's. The broker then sees a client that never sends CONNECT
 * ({@code Client <unknown> has exceeded timeout}), and the service stays disconnected after the blockage ends.
 * <p>
 * Each client has an executor of its own, shut down with it. Paho 1.2.5's connection attempt hands the reader, the
 * writer and the callback to the executor one after the other, and after each waits, on an executor thread, until it
 * runs — for ever if the connection is lost in between (its wait ignores interrupts and never sees the stopped part
 * run). On an executor shared by every client, each such loss keeps a thread: the link between relay and broker
 * reset every 2 s under a burst left all ten waiting, and the relay never connected again (RelayLinkResetTests).
 */
class SessionResumingClientManager extends Mqttv5ClientManager {

	private static final Logger LOG = LoggerFactory.getLogger(SessionResumingClientManager.class);

	private static final long ADAPTER_WAIT_SECONDS = 60;

	private static final int PAHO_THREADS = 10;

	/** How long a renewal's DISCONNECT may take to be written before the old connection is closed all the same. */
	private static final long RENEW_DISCONNECT_MILLIS = 1000;

	/** How long a renewal waits for the broker to answer its fence before it disconnects all the same. */
	private static final long RENEW_FENCE_MILLIS = 5000;

	/** The topic filter a renewal unsubscribes from as its fence: nothing subscribes to it. */
	static final String RENEWAL_FENCE_TOPIC = "decibel-renewal-fence";

	private final CountDownLatch adapterRegistered = new CountDownLatch(1);

	private final Supplier<MqttClientPersistence> persistence;

	private final Executor reconnects = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "mqtt-reconnected");
		thread.setDaemon(true);
		return thread;
	});

	private final @Nullable String username;

	private final ConnectionEpoch epoch;

	private final Subscriptions subscriptions;

	/** What the adapters hold: forwards to {@link #client}, whichever Paho client that is now. */
	private final IMqttAsyncClient standIn;

	private final long firstDelayMillis;

	private final long maxDelayMillis;

	private final AtomicBoolean connectPending = new AtomicBoolean();

	private volatile boolean connectedBefore;

	/** The Paho client of the current (or next) connection. */
	private volatile @Nullable MqttAsyncClient client;

	private volatile boolean stopped = true;

	/** The pause before the next attempt to connect; on the connector's thread only. */
	private long nextDelayMillis;

	/** Each client's executor, shut down when the client is closed. */
	private final Map<MqttAsyncClient, ScheduledExecutorService> threads = new ConcurrentHashMap<>();

	private final AtomicInteger clients = new AtomicInteger();

	private @Nullable ScheduledExecutorService connector;

	SessionResumingClientManager(MqttConnectionOptions connectionOptions, String clientId,
			Supplier<MqttClientPersistence> persistence, @Nullable String username, ConnectionEpoch epoch) {
		super(connectionOptions, clientId);
		this.persistence = persistence;
		this.username = username;
		this.epoch = epoch;
		this.subscriptions = new Subscriptions(epoch);
		this.firstDelayMillis = TimeUnit.SECONDS.toMillis(Math.max(1, connectionOptions.getAutomaticReconnectMinDelay()));
		this.maxDelayMillis = Math.max(this.firstDelayMillis,
				TimeUnit.SECONDS.toMillis(connectionOptions.getAutomaticReconnectMaxDelay()));
		this.nextDelayMillis = this.firstDelayMillis;
		// this manager reconnects, with a new client each time (see the class comment)
		connectionOptions.setAutomaticReconnect(false);
		this.standIn = (IMqttAsyncClient) Proxy.newProxyInstance(IMqttAsyncClient.class.getClassLoader(),
				new Class<?>[] { IMqttAsyncClient.class }, (proxy, method, arguments) -> {
					switch (method.getName()) {
						case "connect":
							return connectRequested();
						case "toString":
							return "current client of " + clientId;
						case "hashCode":
							return System.identityHashCode(proxy);
						case "equals":
							return proxy == arguments[0];
						default:
							break;
					}
					MqttAsyncClient current = this.client;
					if (current == null) {
						if (method.getName().equals("isConnected")) {
							return false;
						}
						throw new MqttException(MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED);
					}
					try {
						return method.invoke(current, arguments);
					}
					catch (InvocationTargetException ex) {
						throw ex.getCause();
					}
				});
		epoch.renewWith(this::renew);
	}

	@Override
	public void start() {
		this.lock.lock();
		try {
			if (!this.stopped) {
				return;
			}
			this.stopped = false;
			this.connector = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "mqtt-connect-" + getClientId());
				thread.setDaemon(true);
				return thread;
			});
			setClient(this.standIn);
		}
		finally {
			this.lock.unlock();
		}
		// the first attempt before the application goes on, as the plain manager does; the next ones in the background
		try {
			this.connector.submit(this::connect).get(getCompletionTimeout() + getConnectionInfo().getConnectionTimeout()
					* 1000L, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			// still connecting, or failed and retrying with back-off: the adapters subscribe once it is connected
			LOG.debug("MQTT client {} not connected yet at start", getClientId(), ex);
		}
	}

	/**
	 * Paho's threads for one client: reading, writing, the callback and the connection attempt run at once, and a few
	 * more while its connection ends. Not daemons, as Paho's own are not: a service without a web server lives as
	 * long as its MQTT connection; closing the client ({@link #close}) ends them.
	 */
	private static ScheduledExecutorService pahoThreads(String name) {
		AtomicInteger count = new AtomicInteger();
		return Executors.newScheduledThreadPool(PAHO_THREADS,
				(task) -> new Thread(task, name + "-" + count.incrementAndGet()));
	}

	@Override
	public void stop() {
		this.lock.lock();
		try {
			if (this.stopped) {
				return;
			}
			this.stopped = true;
			if (this.connector != null) {
				this.connector.shutdownNow();
				this.connector = null;
			}
			MqttAsyncClient client = this.client;
			this.client = null;
			if (client != null) {
				try {
					if (client.isConnected()) {
						client.disconnectForcibly(getQuiescentTimeout(), getDisconnectCompletionTimeout(), true);
					}
				}
				catch (MqttException ex) {
					LOG.debug("Could not disconnect the MQTT client", ex);
				}
				close(client);
			}
			setClient(null);
			// any client left over (one closing while the manager stopped)
			this.threads.values().forEach(ScheduledExecutorService::shutdownNow);
			this.threads.clear();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public boolean isConnected() {
		MqttAsyncClient client = this.client;
		return client != null && client.isConnected();
	}

	/**
	 * One attempt, on the connector's thread: a new client connects; if it cannot, another attempt follows after a
	 * pause that doubles each time, up to the longest reconnect delay.
	 */
	private void connect() {
		this.connectPending.set(false);
		MqttAsyncClient current = this.client;
		if (this.stopped || (current != null && current.isConnected())) {
			return;
		}
		// a client that lost its connection, or never had one: its tokens and ids go with it
		this.client = null;
		close(current);
		MqttAsyncClient fresh;
		try {
			fresh = newClient();
		}
		catch (MqttException ex) {
			LOG.error("Could not create an MQTT client {}: {}; trying again", getClientId(), ex.toString());
			connectLater();
			return;
		}
		this.client = fresh;
		try {
			fresh.connect(getConnectionInfo()).waitForCompletion(getCompletionTimeout());
			this.nextDelayMillis = this.firstDelayMillis;
		}
		catch (MqttException ex) {
			// the client has said why (ConnectFailureLoggingClient)
			connectLater();
		}
	}

	private void connectLater() {
		long delay = this.nextDelayMillis;
		this.nextDelayMillis = Math.min(delay * 2, this.maxDelayMillis);
		connectAfter(delay);
	}

	/** Another attempt after a pause, unless one is waiting already. */
	private void connectAfter(long delayMillis) {
		ScheduledExecutorService connector = this.connector;
		if (this.stopped || connector == null || !this.connectPending.compareAndSet(false, true)) {
			return;
		}
		try {
			connector.schedule(this::connect, delayMillis, TimeUnit.MILLISECONDS);
		}
		catch (RuntimeException ex) {
			// stopping
			this.connectPending.set(false);
		}
	}

	private MqttAsyncClient newClient() throws MqttException {
		if (this.stopped) {
			throw new MqttException(MqttClientException.REASON_CODE_CLIENT_CLOSED);
		}
		ScheduledExecutorService threads = pahoThreads("mqtt-" + getClientId() + "-" + this.clients.incrementAndGet());
		MqttAsyncClient client;
		try {
			client = new ConnectFailureLoggingClient(getUrl(), getClientId(), this.persistence.get(), this.username,
					threads, this.subscriptions);
		}
		catch (MqttException | RuntimeException ex) {
			threads.shutdownNow();
			throw ex;
		}
		this.threads.put(client, threads);
		client.setManualAcks(isManualAcks());
		client.setCallback(new Callback(client));
		return client;
	}

	/** Closes a client for good, connected or not; its connection, if any, is reset, and its threads end. */
	private void close(@Nullable MqttAsyncClient client) {
		if (client == null) {
			return;
		}
		try {
			if (client.isConnected()) {
				client.disconnectForcibly(0, RENEW_DISCONNECT_MILLIS, false);
			}
		}
		catch (MqttException ex) {
			// closing anyway
		}
		try {
			client.close(true);
		}
		catch (MqttException ex) {
			LOG.debug("Could not close an MQTT client", ex);
		}
		ScheduledExecutorService threads = this.threads.remove(client);
		if (threads != null) {
			threads.shutdownNow();
		}
	}

	/**
	 * A connect through the stand-in (the outbound handler connects a client it finds disconnected): the manager
	 * connects, so the caller is told a connection is on its way, and tries again.
	 */
	private IMqttToken connectRequested() throws MqttException {
		if (isConnected()) {
			throw new MqttException(MqttClientException.REASON_CODE_CLIENT_CONNECTED);
		}
		connectAfter(0);
		throw new MqttException(MqttClientException.REASON_CODE_CONNECT_IN_PROGRESS);
	}

	/**
	 * Closes the connection with this number, if it is still the current one, and opens another that resumes the
	 * session (clean start off): the broker sends again every delivery of the session not acknowledged. Returns once
	 * the old connection is closed; the new one is made by the connector.
	 */
	private boolean renew(long connection) {
		MqttAsyncClient client = this.client;
		// the epoch moves before the DISCONNECT: no PUBACK of this connection can go out on the next one
		if (client == null || !this.epoch.closing(connection)) {
			return false;
		}
		LOG.info("Renewing the MQTT connection: a fence (UNSUBSCRIBE, UNSUBACK), DISCONNECT, then a connection that "
				+ "resumes the session");
		// detached first: its disconnection is no loss to react to
		this.client = null;
		fence(client);
		try {
			// the DISCONNECT is written after what is queued, and the socket closed after it, at most a second later
			client.disconnectForcibly(0, RENEW_DISCONNECT_MILLIS, true);
		}
		catch (MqttException ex) {
			LOG.debug("The renewal's DISCONNECT did not go out ({}); the connection is closed all the same",
					ex.getMessage());
		}
		close(client);
		this.nextDelayMillis = this.firstDelayMillis;
		connectAfter(0);
		return true;
	}

	/**
	 * Waits until the broker has processed everything written before on the connection: it answers an UNSUBSCRIBE
	 * only after the packets that came before it (MQTT 5 §4.6), the PUBACKs and replies of the last batch among them.
	 * Paho writes the UNSUBSCRIBE after the PUBACKs it has queued, and the relay's replies were written before their
	 * PUBACKs were queued; without the UNSUBACK a DISCONNECT could close the socket while they were still on the way.
	 * The topic filter is one no client of Decibel subscribes to: the broker answers that there was no subscription,
	 * or refuses it — an answer all the same. Bounded: a broker that does not answer is disconnected anyway.
	 */
	private void fence(MqttAsyncClient client) {
		try {
			client.unsubscribe(RENEWAL_FENCE_TOPIC).waitForCompletion(RENEW_FENCE_MILLIS);
		}
		catch (MqttException ex) {
			LOG.debug("The renewal's fence (UNSUBSCRIBE {}) was not answered ({}); disconnecting all the same",
					RENEWAL_FENCE_TOPIC, ex.getMessage());
		}
	}

	/**
	 * Whether every expected topic filter (the inbound adapters' topics) was granted the QoS asked for on the current
	 * connection. Not while disconnected: a new connection starts with none.
	 */
	boolean isSubscribed(Collection<String> expected) {
		return isConnected() && this.subscriptions.granted(expected);
	}

	/** The expected topic filters not granted (yet) on the current connection. */
	List<String> notSubscribed(Collection<String> expected) {
		return this.subscriptions.missing(expected);
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
		// every connection after the first is a reconnect, though Paho says so only of its automatic ones
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
		connectLater();
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

	/** One Paho client's callback: what it says counts only while it is the manager's current client. */
	private final class Callback implements MqttCallback {

		private final MqttAsyncClient client;

		Callback(MqttAsyncClient client) {
			this.client = client;
		}

		private boolean isCurrent() {
			return SessionResumingClientManager.this.client == this.client;
		}

		@Override
		public void disconnected(MqttDisconnectResponse disconnectResponse) {
			if (isCurrent()) {
				SessionResumingClientManager.this.disconnected(disconnectResponse);
			}
		}

		@Override
		public void mqttErrorOccurred(MqttException exception) {
			if (isCurrent()) {
				SessionResumingClientManager.this.mqttErrorOccurred(exception);
			}
		}

		@Override
		public void messageArrived(String topic, MqttMessage message) {
			// a message of a closed client is never acknowledged (ConnectionEpoch) and comes again
			if (isCurrent()) {
				SessionResumingClientManager.this.messageArrived(topic, message);
			}
		}

		@Override
		public void deliveryComplete(IMqttToken token) {
			SessionResumingClientManager.this.deliveryComplete(token);
		}

		@Override
		public void connectComplete(boolean reconnect, String serverURI) {
			if (isCurrent()) {
				SessionResumingClientManager.this.connectComplete(reconnect, serverURI);
			}
		}

		@Override
		public void authPacketArrived(int reasonCode, MqttProperties properties) {
			SessionResumingClientManager.this.authPacketArrived(reasonCode, properties);
		}

	}

}
