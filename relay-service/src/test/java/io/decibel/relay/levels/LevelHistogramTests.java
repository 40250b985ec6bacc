package io.decibel.relay.levels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LevelHistogramTests {

	@Test
	void statisticalLevelsAreTheNearestRankFromTheTop() {
		// ten readings: 50, 51, ... 59 dB
		LevelHistogram histogram = new LevelHistogram();
		for (int i = 0; i < 10; i++) {
			histogram.add(50 + i);
		}
		assertThat(histogram.exceeded(10)).isEqualTo(59.0);
		assertThat(histogram.exceeded(50)).isEqualTo(55.0);
		assertThat(histogram.exceeded(90)).isEqualTo(51.0);
		assertThat(histogram.exceeded(100)).isEqualTo(50.0);
		assertThat(histogram.exceeded(0.01)).isEqualTo(59.0);
		assertThat(new LevelHistogram().exceeded(50)).isNaN();
	}

	@Test
	void levelsFallIntoClassesOfATenthOfADecibel() {
		LevelHistogram histogram = new LevelHistogram().add(65.04).add(65.05).add(65.149).add(-3.26);
		assertThat(histogram.encode()).isEqualTo("-33:1 650:1 651:2");
		assertThat(histogram.exceeded(25)).isEqualTo(65.1);
	}

	@Test
	void histogramsAddUpAndSurviveTheirText() {
		LevelHistogram minute = new LevelHistogram().add(60).add(60).add(70.3);
		LevelHistogram other = new LevelHistogram().add(60).add(40);
		LevelHistogram sum = LevelHistogram.decode(minute.encode()).add(LevelHistogram.decode(other.encode()));
		assertThat(sum.encode()).isEqualTo("400:1 600:3 703:1");
		assertThat(sum.total()).isEqualTo(5);
		assertThat(LevelHistogram.decode(sum.encode())).isEqualTo(sum);
		assertThat(LevelHistogram.decode("")).isEqualTo(new LevelHistogram());
	}

	@Test
	void textItNeverWroteIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> LevelHistogram.decode("650"));
		assertThatIllegalArgumentException().isThrownBy(() -> LevelHistogram.decode("650:0"));
		assertThatIllegalArgumentException().isThrownBy(() -> LevelHistogram.decode(":3"));
		assertThatIllegalArgumentException().isThrownBy(() -> new LevelHistogram().exceeded(0));
	}

}
