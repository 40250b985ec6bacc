package io.decibel.mqtt;

import java.util.Arrays;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

import io.decibel.contract.ReadingValidator;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.inbound.AbstractMqttMessageDrivenChannelAdapter;

/**
 * One MQTT v5 connection per service, shared by its inbound and outbound adapters, with the contract's codec and
 * topic names beside it.
 */
@AutoConfiguration
@EnableConfigurationProperties(MqttProperties.class)
public class MqttConnectionAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	public Mqttv5ClientManager mqttClientManager(MqttProperties mqtt, Environment environment,
			ObjectProvider<SslBundles> sslBundles, ObjectProvider<MqttClientManagerCustomizer> customizers,
			ConnectionEpoch connectionEpoch) {
		String applicationName = environment.getProperty("spring.application.name", "decibel");
		MqttConnectionOptions options = mqtt.toConnectionOptions();
		if (mqtt.sslBundle() != null && !mqtt.sslBundle().isBlank()) {
			if (!mqtt.usesTls()) {
				throw new IllegalStateException("decibel.mqtt.ssl-bundle is set, but decibel.mqtt.url " + mqtt.url()
						+ " is not an ssl:// URL: the certificates would not be used");
			}
			SslBundle bundle = sslBundles.getObject().getBundle(mqtt.sslBundle());
			options.setSocketFactory(bundle.createSslContext().getSocketFactory());
		}
		if (options.getSocketFactory() == null && mqtt.url().startsWith("tcp://")) {
			options.setSocketFactory(new NoDelaySocketFactory());
		}
		// Paho's default persistence writes files into the working directory
		Mqttv5ClientManager clientManager = new SessionResumingClientManager(options,
				mqtt.resolveClientId(applicationName), MemoryPersistence::new, mqtt.username(), connectionEpoch);
		// the broker closes the connection on DISCONNECT; waiting 5 s (the default) for more only slows shutdown
		clientManager.setDisconnectCompletionTimeout(1000);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(clientManager));
		return clientManager;
	}

	/** Which connection is current: a service that acknowledges deliveries itself binds them to it. */
	@Bean
	@ConditionalOnMissingBean
	public ConnectionEpoch mqttConnectionEpoch() {
		return new ConnectionEpoch();
	}

	@Bean
	@ConditionalOnMissingBean
	public Topics topics(MqttProperties mqtt) {
		return new Topics(mqtt.topicRoot());
	}

	@Bean
	@ConditionalOnMissingBean
	public TelemetryCodec telemetryCodec() {
		return new TelemetryCodec(new ReadingValidator());
	}

	@Bean
	@ConditionalOnMissingBean(name = "mqttHealthIndicator")
	HealthIndicator mqttHealthIndicator(Mqttv5ClientManager mqttClientManager, ListableBeanFactory beans) {
		return new MqttHealthIndicator(mqttClientManager, () -> inboundTopicFilters(beans));
	}

	/**
	 * The topic filters of every inbound adapter of the context, those of integration flows among them: readiness
	 * waits for each to be granted, whether or not its adapter has started yet.
	 */
	@SuppressWarnings("rawtypes")
	private static Collection<String> inboundTopicFilters(ListableBeanFactory beans) {
		Set<String> filters = new TreeSet<>();
		for (AbstractMqttMessageDrivenChannelAdapter adapter : beans
			.getBeansOfType(AbstractMqttMessageDrivenChannelAdapter.class, false, false)
			.values()) {
			filters.addAll(Arrays.asList(adapter.getTopic()));
		}
		return filters;
	}

	@Bean
	MqttConnectionLog mqttConnectionLog() {
		return new MqttConnectionLog();
	}

}
