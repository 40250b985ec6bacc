package io.decibel.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class MqttPropertiesTests {

	@Test
	void usesTheConfiguredClientIdWhenSet() {
		MqttProperties properties = properties("relay-fixed", "ignored", null, null);

		assertThat(properties.resolveClientId("relay-service")).isEqualTo("relay-fixed");
	}

	@Test
	void putsTheHostNameAndTheProcessIdIntoAConfiguredClientId() {
		MqttProperties properties = properties("relay-{host}-{pid}", null, null, null);

		String clientId = properties.resolveClientId("relay-service");

		// unique on the machine while the process runs, and the same every time it is asked
		assertThat(clientId).matches("relay-[A-Za-z0-9_-]+-" + ProcessHandle.current().pid())
			.doesNotContain("{", "}")
			.isEqualTo(properties.resolveClientId("relay-service"));
	}

	@Test
	void generatesAClientIdFromPrefixHostAndARandomSuffix() {
		MqttProperties properties = properties(null, "relay", null, null);

		assertThat(properties.resolveClientId("relay-service")).matches("relay-[A-Za-z0-9_-]*-[0-9a-f]{8}");
	}

	@Test
	void generatesADifferentClientIdForEveryInstance() {
		// given two replicas with the same configuration on the same host
		MqttProperties properties = properties(null, "relay", null, null);

		// when
		String first = properties.resolveClientId("relay-service");
		String second = properties.resolveClientId("relay-service");

		// then
		assertThat(first).isNotEqualTo(second);
	}

	@Test
	void usesTheApplicationNameAsThePrefixWhenNoneIsSet() {
		assertThat(properties(null, null, null, null).resolveClientId("subscriber-service"))
			.matches("subscriber-service-[A-Za-z0-9_-]*-[0-9a-f]{8}");
		assertThat(properties(" ", " ", null, null).resolveClientId("subscriber-service"))
			.startsWith("subscriber-service-");
	}

	@Test
	void carriesTheConnectionSettingsIntoTheClientOptions() {
		// given
		MqttProperties properties = new MqttProperties("ssl://broker.example:8883", "device", "s3cret", null, null,
				"decibel", false, Duration.ofHours(1), Duration.ofSeconds(15), Duration.ofSeconds(5), "mqtt", 200,
				DataSize.ofKilobytes(16));

		// when
		MqttConnectionOptions options = properties.toConnectionOptions();

		// then
		assertThat(options.getServerURIs()).containsExactly("ssl://broker.example:8883");
		assertThat(options.isCleanStart()).isFalse();
		assertThat(options.getSessionExpiryInterval()).isEqualTo(3600L);
		assertThat(options.getKeepAliveInterval()).isEqualTo(15);
		assertThat(options.getConnectionTimeout()).isEqualTo(5);
		assertThat(options.isAutomaticReconnect()).isTrue();
		assertThat(options.getUserName()).isEqualTo("device");
		assertThat(options.getPassword()).isEqualTo("s3cret".getBytes(StandardCharsets.UTF_8));
		assertThat(options.getConnectionProperties().getReceiveMaximum()).isEqualTo(200);
		assertThat(options.getConnectionProperties().getMaximumPacketSize()).isEqualTo(16 * 1024L);
		assertThat(properties.effectiveReceiveMaximum()).isEqualTo(200);
	}

	@Test
	void leavesCredentialsOutOfTheClientOptionsWhenNoneAreSet() {
		MqttConnectionOptions options = properties(null, null, null, null).toConnectionOptions();

		assertThat(options.getUserName()).isNull();
		assertThat(options.getPassword()).isNull();
		assertThat(options.isCleanStart()).isTrue();
		assertThat(options.getSessionExpiryInterval()).isZero();
		assertThat(options.getConnectionProperties().getReceiveMaximum()).isNull();
		assertThat(options.getConnectionProperties().getMaximumPacketSize()).isNull();
	}

	@Test
	void announcesTheProtocolsReceiveMaximumWhenNoneIsSet() {
		assertThat(properties(null, null, null, null).effectiveReceiveMaximum()).isEqualTo(65_535);
	}

	@Test
	void leavesAnEmptyPasswordOutOfTheClientOptions() {
		assertThat(properties(null, null, "device", "").toConnectionOptions().getPassword()).isNull();
	}

	@Test
	void neverShowsThePasswordInItsStringForm() {
		MqttProperties properties = properties("relay-1", null, "device", "s3cret-Pa55");

		assertThat(properties.toString()).doesNotContain("s3cret-Pa55").contains("tcp://localhost:1883");
	}

	private static MqttProperties properties(@Nullable String clientId, @Nullable String clientIdPrefix,
			@Nullable String username, @Nullable String password) {
		return new MqttProperties("tcp://localhost:1883", username, password, clientId, clientIdPrefix, "decibel",
				true, Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(10), null, null, null);
	}

}
