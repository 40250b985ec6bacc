package io.decibel.contract.mqtt;

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
 * It keeps the {@link ConnectionEpoch}: which connection is current, so that no delivery is acknowledged on another.
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

	private final CountDownLatch adapterRegistered = new CountDownLatch(1);

	private final MqttClientPersistence persistence;

	private final Executor reconnects = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "mqtt-reconnected");
		thread.setDaemon(true);
		return thread;
	});

	private final @Nullable String username;

	private final ConnectionEpoch epoch;

	private volatile @Nullable MqttAsyncClient client;

	private @Nullable ScheduledExecutorService threads;

	SessionResumingClientManager(MqttConnectionOptions connectionOptions, String clientId,
			MqttClientPersistence persistence, @Nullable String username, ConnectionEpoch epoch) {
		super(connectionOptions, clientId);
		this.persistence = persistence;
		this.username = username;
		this.epoch = epoch;
		setPersistence(persistence);
	}

	@Override
	public void start() {
		this.lock.lock();
		try {
			if (getClient() == null) {
				// the manager's own client would retry a refused connection without a word: this one says why
				this.threads = pahoThreads(getClientId());
				MqttAsyncClient client = new ConnectFailureLoggingClient(getUrl(), getClientId(), this.persistence,
						this.username, this.threads);
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

	/** Called on Paho's callback thread, which delivers the connection's first message only after it. */
	@Override
	public void connectComplete(boolean reconnect, String serverURI) {
		MqttAsyncClient client = this.client;
		if (client != null) {
			this.epoch.connected(client::isConnected);
		}
		if (reconnect) {
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
