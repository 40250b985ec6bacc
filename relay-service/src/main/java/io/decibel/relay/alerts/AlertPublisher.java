package io.decibel.relay.alerts;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

import io.decibel.mqtt.MqttProperties;
import io.decibel.mqtt.NoDelaySocketFactory;
import io.decibel.relay.alerts.AlertStore.Unpublished;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes the outbox's alert changes at QoS 1, oldest first, and marks each once the broker has acknowledged it
 * (PUBACK): a relay that stops in between leaves it to be published again (at least once; the alert's id and change
 * let a consumer drop the repeat). The outbox rows are locked while they are published, so two relays never publish
 * the same change at once.
 * <p>
 * On a connection of its own, with clean start and no session: the relay's main connection resumes its session, and
 * Paho 1.2.5 re-sends a resumed session's QoS 1 publishes with the topic alias of the connection they were first sent
 * on and no topic; the broker refuses them and closes the connection, on every reconnect (see
 * {@code ReadingIngest.REPLY_QOS}). Here a lost connection takes nothing with it: with clean start Paho drops its
 * in-flight publishes on disconnect and never re-sends one; the outbox does, on a new connection, as a new PUBLISH
 * with its topic.
 */
@Component
class AlertPublisher {

	private static final Logger LOG = LoggerFactory.getLogger(AlertPublisher.class);

	private static final int BATCH = 100;

	private static final long WAIT_MILLIS = 5_000;

	private final AlertStore store;

	private final TransactionTemplate transaction;

	private final MqttProperties mqtt;

	private final ObjectProvider<SslBundles> sslBundles;

	private final String clientId;

	private final Clock clock;

	private @Nullable MqttAsyncClient client;

	AlertPublisher(AlertStore store, PlatformTransactionManager transactions, MqttProperties mqtt,
			ObjectProvider<SslBundles> sslBundles, Mqttv5ClientManager clientManager, Clock clock) {
		this.store = store;
		this.clock = clock;
		this.transaction = new TransactionTemplate(transactions);
		this.mqtt = mqtt;
		this.sslBundles = sslBundles;
		this.clientId = clientManager.getClientId() + "-alerts";
	}

	/** @return how many changes were published */
	synchronized int publishPending() {
		Integer published = this.transaction.execute((status) -> {
			List<Unpublished> pending = this.store.lockUnpublished(BATCH);
			if (pending.isEmpty()) {
				return 0;
			}
			int count = 0;
			try {
				MqttAsyncClient client = connected();
				for (Unpublished change : pending) {
					MqttMessage message = new MqttMessage(change.payload().getBytes(StandardCharsets.UTF_8));
					message.setQos(1);
					client.publish(change.topic(), message).waitForCompletion(WAIT_MILLIS);
					this.store.published(change.id(), this.clock.instant());
					count++;
				}
			}
			catch (MqttException ex) {
				LOG.warn("{} of {} alert changes published; the rest wait in the outbox: {}", count, pending.size(),
						ex.toString());
				close();
			}
			return count;
		});
		return (published != null) ? published : 0;
	}

	private MqttAsyncClient connected() throws MqttException {
		MqttAsyncClient client = this.client;
		if (client != null && client.isConnected()) {
			return client;
		}
		close();
		client = new MqttAsyncClient(this.mqtt.url(), this.clientId, new MemoryPersistence());
		this.client = client;
		client.connect(options()).waitForCompletion(WAIT_MILLIS);
		return client;
	}

	/** The relay's own connection settings (URL, account, TLS), without a session. */
	private MqttConnectionOptions options() {
		MqttConnectionOptions options = this.mqtt.toConnectionOptions();
		options.setCleanStart(true);
		options.setSessionExpiryInterval(0L);
		options.setAutomaticReconnect(false);
		if (this.mqtt.sslBundle() != null && !this.mqtt.sslBundle().isBlank()) {
			options.setSocketFactory(this.sslBundles.getObject()
				.getBundle(this.mqtt.sslBundle())
				.createSslContext()
				.getSocketFactory());
		}
		else if (this.mqtt.url().startsWith("tcp://")) {
			options.setSocketFactory(new NoDelaySocketFactory());
		}
		return options;
	}

	synchronized void close() {
		MqttAsyncClient client = this.client;
		this.client = null;
		if (client == null) {
			return;
		}
		try {
			if (client.isConnected()) {
				client.disconnect(1000).waitForCompletion(2000);
			}
			client.close(true);
		}
		catch (MqttException ex) {
			LOG.debug("Closing the alerts' MQTT connection: {}", ex.toString());
		}
	}

}
