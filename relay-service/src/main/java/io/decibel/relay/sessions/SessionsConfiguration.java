package io.decibel.relay.sessions;

import io.decibel.contract.Topics;
import io.decibel.mqtt.MqttProperties;
import io.decibel.mqtt.NoDelaySocketFactory;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.messaging.MessageChannel;
import org.springframework.transaction.PlatformTransactionManager;

/** The relay's MQTT session registered in the database, and the sessions of gone relays adopted. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "decibel.relay.sessions.enabled", matchIfMissing = true)
class SessionsConfiguration {

	@Bean
	SessionKeeper sessionKeeper(JdbcTemplate jdbc, PlatformTransactionManager transactions, SessionSettings settings,
			Mqttv5ClientManager clientManager, MqttProperties mqtt, ObjectProvider<SslBundles> sslBundles, Topics topics,
			@Value("${decibel.relay.share-group:relay}") String shareGroup,
			@Qualifier("readingDeliveries") MessageChannel readingDeliveries) {
		String sharedTopic = topics.sharedReadings(shareGroup);
		SessionRegistry registry = new SessionRegistry(jdbc, transactions, sharedTopic);
		return new SessionKeeper(registry, settings, clientManager.getClientId(),
				(gone) -> new AdoptedSession(gone, adoptionOptions(mqtt, sslBundles), sharedTopic, readingDeliveries,
						settings),
				() -> clientManager.getClient() != null && clientManager.getClient().isConnected());
	}

	/** The relay's own connection settings (URL, account, TLS, Receive Maximum), resuming the session. */
	private static MqttConnectionOptions adoptionOptions(MqttProperties mqtt, ObjectProvider<SslBundles> sslBundles) {
		MqttConnectionOptions options = mqtt.toConnectionOptions();
		options.setCleanStart(false);
		options.setAutomaticReconnect(false);
		if (mqtt.sslBundle() != null && !mqtt.sslBundle().isBlank()) {
			options.setSocketFactory(
					sslBundles.getObject().getBundle(mqtt.sslBundle()).createSslContext().getSocketFactory());
		}
		else if (mqtt.url().startsWith("tcp://")) {
			options.setSocketFactory(new NoDelaySocketFactory());
		}
		return options;
	}

}
