package io.decibel.bench;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BenchOptionsTests {

	@Test
	void defaultsRunALatencyPhaseAtEachOfThreeRates() {
		BenchOptions options = BenchOptions.parse();

		assertThat(options.devices()).isEqualTo(100);
		assertThat(options.count()).isEqualTo(20_000);
		assertThat(options.rates()).containsExactly(100, 1_000, 5_000);
		assertThat(options.duration()).isEqualTo(Duration.ofSeconds(10));
		assertThat(options.drain()).isEqualTo(Duration.ofSeconds(10));
		assertThat(options.readingsAt(100)).isEqualTo(1_000);
		assertThat(options.readingsAt(5_000)).isEqualTo(50_000);
		assertThat(options.responders()).containsExactly("raw", "relay", "naive");
		assertThat(options.results()).endsWith(java.nio.file.Path.of("bench", "results"));
	}

	@Test
	void readsNameValueOptions() {
		BenchOptions options = BenchOptions.parse("--count=100_000", "--rates=2000, 200,20_000", "--duration=30s",
				"--drain=5", "--responders=relay,raw", "--startup=false", "--profile", "--responder-jvm=-Xmx128m");

		assertThat(options.count()).isEqualTo(100_000);
		assertThat(options.rates()).containsExactly(2_000, 200, 20_000);
		assertThat(options.duration()).isEqualTo(Duration.ofSeconds(30));
		assertThat(options.drain()).isEqualTo(Duration.ofSeconds(5));
		assertThat(options.readingsAt(200)).isEqualTo(6_000);
		assertThat(options.responders()).isEqualTo(List.of("relay", "raw"));
		assertThat(options.startup()).isFalse();
		assertThat(options.profile()).isTrue();
		assertThat(options.responderJvmOptions()).isEqualTo("-Xmx128m");
		assertThat(BenchOptions.parse().agedRows()).isZero();
		assertThat(BenchOptions.parse("--aged-rows=1_000_000", "--retention-runs=3"))
			.extracting(BenchOptions::agedRows, BenchOptions::retentionRuns)
			.containsExactly(1_000_000, 3);
	}

	@Test
	void takesSeveralDatabaseUrlsGivenTwiceOrAsAList() {
		assertThat(BenchOptions.parse("--jdbc-url=jdbc:mariadb://127.0.0.1:3306", "--jdbc-url=jdbc:mysql://127.0.0.1:3306")
			.jdbcUrls()).containsExactly("jdbc:mariadb://127.0.0.1:3306", "jdbc:mysql://127.0.0.1:3306");
		assertThat(BenchOptions.parse("--jdbc-url=jdbc:mariadb://db:3306,jdbc:mysql://db:3306").jdbcUrls())
			.containsExactly("jdbc:mariadb://db:3306", "jdbc:mysql://db:3306");
		assertThat(BenchOptions.parse().jdbcUrls()).isEmpty();
		assertThat(BenchRun.scheme("jdbc:mysql://db:3306")).isEqualTo("jdbc:mysql");
	}

	@Test
	void runsOnEmbeddedHiveMqUnlessToldAnotherBrokerAndBurstsTwentyThousandReadings() {
		assertThat(BenchOptions.parse()).extracting(BenchOptions::broker, BenchOptions::burst)
			.containsExactly("hivemq", 20_000);
		assertThat(BenchOptions.parse("--broker=mosquitto-shipped").broker()).isEqualTo("mosquitto-shipped");
		assertThat(BenchOptions.parse("--broker=mosquitto-overrun", "--burst=0"))
			.extracting(BenchOptions::broker, BenchOptions::burst)
			.containsExactly("mosquitto-overrun", 0);
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--broker=emqx"))
			.withMessageContaining("emqx");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> BenchOptions.parse("--broker=mosquitto-shipped", "--mqtt-url=tcp://127.0.0.1:1883"))
			.withMessageContaining("--mqtt-url");
	}

	@Test
	void refusesWhatItDoesNotKnow() {
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--cout=10"))
			.withMessageContaining("--cout");
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--responders=kafka"))
			.withMessageContaining("kafka");
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--count=0"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--jdbc-url=mysql://db:3306"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--devices=2", "--connections=4"));
	}

	@Test
	void refusesRatesThatAreNotPositiveWholeNumbers() {
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--rate=1000"))
			.withMessageContaining("--rate");
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--rates=100,0"))
			.withMessageContaining("--rates");
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--rates=1k"))
			.withMessageContaining("'1k'");
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--rates=,"))
			.withMessageContaining("--rates");
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--drain=0"));
	}

}
