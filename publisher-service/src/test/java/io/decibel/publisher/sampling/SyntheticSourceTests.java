package io.decibel.publisher.sampling;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.decibel.contract.Reading;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SyntheticSourceTests {

	@Test
	void sameSeedGivesTheSameLevels() {
		// given
		SyntheticSource one = new SyntheticSource(7, Duration.ofMillis(100));
		SyntheticSource other = new SyntheticSource(7, Duration.ofMillis(100));

		// when
		List<NoiseLevel> levels = levels(one, 50);
		List<NoiseLevel> again = levels(other, 50);

		// then
		assertThat(again).isEqualTo(levels);
	}

	@Test
	void levelsVaryAndStayWithinTheContract() {
		// when
		List<NoiseLevel> levels = levels(new SyntheticSource(42, Duration.ofMillis(100)), 200);

		// then: a floor with louder events on top
		assertThat(levels).extracting(NoiseLevel::dbfs)
			.allSatisfy((dbfs) -> assertThat(dbfs).isBetween(Reading.DBFS_FLOOR, 0.0))
			.anySatisfy((dbfs) -> assertThat(dbfs).isLessThan(-40))
			.anySatisfy((dbfs) -> assertThat(dbfs).isGreaterThan(-30));
	}

	@Test
	void differentSeedsGiveDifferentLevels() {
		// when
		List<NoiseLevel> levels = levels(new SyntheticSource(1, Duration.ofMillis(100)), 10);
		List<NoiseLevel> others = levels(new SyntheticSource(2, Duration.ofMillis(100)), 10);

		// then
		assertThat(others).isNotEqualTo(levels);
	}

	private static List<NoiseLevel> levels(NoiseSource source, int windows) {
		List<NoiseLevel> levels = new ArrayList<>();
		for (int i = 0; i < windows; i++) {
			levels.add(NoiseLevel.of(source.read()));
		}
		return levels;
	}

}
