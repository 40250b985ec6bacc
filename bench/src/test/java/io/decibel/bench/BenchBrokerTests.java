package io.decibel.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BenchBrokerTests {

	@Test
	void runsTheShippedMosquittoConfigurationOnAPortAndFolderOfItsOwnWithItsLimits() throws Exception {
		String shipped = Files.readString(projectHome().resolve("compose/mosquitto/mosquitto.conf"));

		String conf = BenchBroker.forTheBenchmark(shipped, 18_830, Path.of("/tmp/bench-broker"), false);

		assertThat(conf).containsPattern("(?m)^listener 18830 127.0.0.1$")
			.containsPattern("(?m)^persistence_location /tmp/bench-broker/$")
			.containsPattern("(?m)^allow_anonymous true$")
			.doesNotContainPattern("(?m)^(password_file|acl_file) ");
		assertThat(BenchBroker.setting(conf, "max_inflight_messages"))
			.isEqualTo(BenchBroker.setting(shipped, "max_inflight_messages"));
		assertThat(BenchBroker.setting(conf, "max_queued_messages"))
			.isEqualTo(BenchBroker.setting(shipped, "max_queued_messages"));
		assertThat(BenchBroker.setting(BenchBroker.replace(conf, "max_inflight_messages", "0"),
				"max_inflight_messages")).isEqualTo("0");
	}

	@Test
	void readsTheRelaysCountersFromItsPrometheusPage() {
		String page = """
				# TYPE decibel_relay_mqtt_renewals_total counter
				decibel_relay_mqtt_renewals_total{application="relay-service"} 9.0
				decibel_relay_mqtt_renewals_total_other 4.0
				decibel_relay_deliveries_turned_away_total{application="relay-service"} 11234.0
				""";

		assertThat(BenchRun.counter(page, "decibel_relay_mqtt_renewals_total")).isEqualTo(9);
		assertThat(BenchRun.counter(page, "decibel_relay_deliveries_turned_away_total")).isEqualTo(11_234);
		assertThat(BenchRun.counter(page, "decibel_relay_deliveries_beyond_window_total")).isZero();
	}

	private static Path projectHome() {
		Path here = Path.of("").toAbsolutePath();
		return Files.isDirectory(here.resolve("compose")) ? here : here.getParent();
	}

}
