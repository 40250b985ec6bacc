package io.decibel.relay;

import io.decibel.testsupport.TestInfrastructure;

import org.springframework.test.context.DynamicPropertyRegistry;

/** The relay under test on the tests' broker and database, with a topic root and a database of its own. */
final class RelayTestProperties {

	private RelayTestProperties() {
	}

	static void register(DynamicPropertyRegistry registry, String topicRoot) {
		registry.add("decibel.mqtt.url", TestInfrastructure::mqttUrl);
		registry.add("decibel.mqtt.topic-root", () -> topicRoot);
		registry.add("decibel.mqtt.client-id", () -> TestInfrastructure.uniqueName("relay"));
		registry.add("spring.datasource.url", () -> TestInfrastructure.jdbcUrl(TestInfrastructure.uniqueName("relay")));
		registry.add("spring.datasource.username", TestInfrastructure::dbUsername);
		registry.add("spring.datasource.password", TestInfrastructure::dbPassword);
	}

}
