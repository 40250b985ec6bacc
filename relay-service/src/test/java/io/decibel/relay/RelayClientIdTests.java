package io.decibel.relay;

import java.util.List;
import java.util.Map;

import io.decibel.mqtt.MqttProperties;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.AbstractEnvironment;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's default MQTT client id, as its application.yml makes it: in a container, from the HOSTNAME the
 * container gets (the same across its restarts, so that the relay resumes its session); outside one, where a shell
 * does not export HOSTNAME to the JVM, from the machine's host name and the process id — two relays on one machine
 * must not take over each other's session, nor write each other's parts of the level minutes.
 */
class RelayClientIdTests {

	@Test
	void inAContainerIsTheRelayOfItsHostName() throws Exception {
		assertThat(clientId(Map.of("HOSTNAME", "3f2a9c81d7e4"))).isEqualTo("relay-3f2a9c81d7e4");
	}

	@Test
	void outsideAContainerIsUniqueOnTheMachineByHostNameAndProcessId() throws Exception {
		String clientId = clientId(Map.of());

		assertThat(clientId).matches("relay-[A-Za-z0-9_-]+-" + ProcessHandle.current().pid())
			.isNotEqualTo("relay-local")
			.doesNotContain("{", "}");
	}

	/** The client id a relay started with these environment variables, and the relay's defaults, resolves. */
	private static String clientId(Map<String, Object> environmentVariables) throws Exception {
		ConfigurableEnvironment environment = new AbstractEnvironment() {
		};
		environment.getPropertySources().addLast(new MapPropertySource("environment", environmentVariables));
		List<PropertySource<?>> defaults = new YamlPropertySourceLoader().load("application.yml",
				new ClassPathResource("application.yml"));
		defaults.forEach(environment.getPropertySources()::addLast);
		MqttProperties mqtt = Binder.get(environment).bind("decibel.mqtt", MqttProperties.class).get();
		return mqtt.resolveClientId("relay-service");
	}

}
