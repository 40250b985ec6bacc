package io.decibel.relay;

import java.util.function.Supplier;

import io.decibel.testsupport.TestInfrastructure;

import org.springframework.test.context.DynamicPropertyRegistry;

/** The relay under test on the tests' broker and database, with a topic root and a database of its own. */
final class RelayTestProperties {

	private RelayTestProperties() {
	}

	static void register(DynamicPropertyRegistry registry, String topicRoot) {
		register(registry, TestInfrastructure::mqttUrl, topicRoot, TestInfrastructure.uniqueName("relay"));
	}

	/** On a broker of the test's own (started once the context asks for its URL), and a database it names. */
	static void register(DynamicPropertyRegistry registry, Supplier<Object> brokerUrl, String topicRoot,
			String database) {
		registry.add("decibel.mqtt.url", brokerUrl);
		registry.add("decibel.mqtt.topic-root", () -> topicRoot);
		registry.add("decibel.mqtt.client-id", () -> TestInfrastructure.uniqueName("relay"));
		registry.add("spring.datasource.url", () -> TestInfrastructure.jdbcUrl(database));
		registry.add("spring.datasource.username", TestInfrastructure::dbUsername);
		registry.add("spring.datasource.password", TestInfrastructure::dbPassword);
	}

}
