package io.decibel.bench;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BenchOptionsTests {

	@Test
	void defaultsFinishInAFewMinutesOnTwoCores() {
		BenchOptions options = BenchOptions.parse();

		assertThat(options.devices()).isEqualTo(100);
		assertThat(options.count()).isEqualTo(20_000);
		assertThat(options.rate()).isEqualTo(1_000);
		assertThat(options.duration()).isEqualTo(Duration.ofSeconds(10));
		assertThat(options.latencyCount()).isEqualTo(10_000);
		assertThat(options.responders()).containsExactly("raw", "relay", "naive");
		assertThat(options.results()).endsWith(java.nio.file.Path.of("bench", "results"));
	}

	@Test
	void readsNameValueOptions() {
		BenchOptions options = BenchOptions.parse("--count=100_000", "--rate=2000", "--duration=30s",
				"--responders=relay,raw", "--startup=false", "--profile", "--responder-jvm=-Xmx128m");

		assertThat(options.count()).isEqualTo(100_000);
		assertThat(options.rate()).isEqualTo(2_000);
		assertThat(options.duration()).isEqualTo(Duration.ofSeconds(30));
		assertThat(options.responders()).isEqualTo(List.of("relay", "raw"));
		assertThat(options.startup()).isFalse();
		assertThat(options.profile()).isTrue();
		assertThat(options.responderJvmOptions()).isEqualTo("-Xmx128m");
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
	void refusesWhatItDoesNotKnow() {
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--cout=10"))
			.withMessageContaining("--cout");
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--responders=kafka"))
			.withMessageContaining("kafka");
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--count=0"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--jdbc-url=mysql://db:3306"));
		assertThatIllegalArgumentException().isThrownBy(() -> BenchOptions.parse("--devices=2", "--connections=4"));
	}

}
