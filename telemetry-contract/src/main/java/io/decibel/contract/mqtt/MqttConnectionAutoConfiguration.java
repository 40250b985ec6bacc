package io.decibel.contract.mqtt;

import io.decibel.contract.ReadingValidator;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.integration.mqtt.core.Mqttv5ClientManager;

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
			ObjectProvider<MqttClientManagerCustomizer> customizers) {
		String applicationName = environment.getProperty("spring.application.name", "decibel");
		Mqttv5ClientManager clientManager = new SessionResumingClientManager(mqtt.toConnectionOptions(),
				mqtt.resolveClientId(applicationName));
		// Paho's default persistence writes files into the working directory
		clientManager.setPersistence(new MemoryPersistence());
		// the broker closes the connection on DISCONNECT; waiting 5 s (the default) for more only slows shutdown
		clientManager.setDisconnectCompletionTimeout(1000);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(clientManager));
		return clientManager;
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
	HealthIndicator mqttHealthIndicator(Mqttv5ClientManager mqttClientManager) {
		return new MqttHealthIndicator(mqttClientManager);
	}

	@Bean
	MqttConnectionLog mqttConnectionLog() {
		return new MqttConnectionLog();
	}

}
