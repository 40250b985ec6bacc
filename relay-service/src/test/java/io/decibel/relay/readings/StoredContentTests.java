package io.decibel.relay.readings;

import java.time.Instant;

import io.decibel.contract.Reading;
import io.decibel.contract.ReadingIdentity;
import io.decibel.contract.SoundLevels;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The duplicate check: a reading sent again has every field the same, its sound levels included. */
class StoredContentTests {

	static final Instant SAMPLED = Instant.parse("2026-11-30T04:00:00.123456Z");

	static final SoundLevels LEVELS = new SoundLevels(54.2, 61.0, 45.5, 58.0, 52.5, 48.3, true);

	@Test
	void takesTheSameLevelsForTheSameReading() {
		StoredContent stored = StoredContent.of(reading(LEVELS), SAMPLED);

		assertThat(stored.isSameReadingAs(reading(new SoundLevels(54.2, 61.0, 45.5, 58.0, 52.5, 48.3, true))))
			.isTrue();
		// as the columns give them back
		assertThat(new StoredContent("dev-1", 3, SAMPLED, SAMPLED, 1000, 1234.5, -28.5, 4000, "microphone", 54.2,
				61.0, 45.5, 58.0, 52.5, 48.3, true)
			.isSameReadingAs(reading(LEVELS))).isTrue();
	}

	@Test
	void takesOtherLevelsOrNoneForAnotherReading() {
		StoredContent stored = StoredContent.of(reading(LEVELS), SAMPLED);

		assertThat(stored.isSameReadingAs(reading(new SoundLevels(54.2, 61.0, 45.5, 58.0, 52.5, 48.4, true))))
			.isFalse();
		assertThat(stored.isSameReadingAs(reading(new SoundLevels(54.2, 61.0, 45.5, 58.0, 52.5, 48.3, false))))
			.isFalse();
		assertThat(stored.isSameReadingAs(reading(null))).isFalse();
		assertThat(StoredContent.of(reading(null), SAMPLED).isSameReadingAs(reading(LEVELS))).isFalse();
	}

	@Test
	void takesAV1ReadingSentAgainForTheSame() {
		StoredContent stored = new StoredContent("dev-1", 3, SAMPLED, SAMPLED, 1000, 1234.5, -28.5, 4000,
				"microphone", null, null, null, null, null, null, null);

		assertThat(stored.levels()).isNull();
		assertThat(stored.isSameReadingAs(reading(null))).isTrue();
	}

	@Test
	void namesTheStoredReadingAsTheDeviceNamesTheReadingItSent() {
		// as the columns give the row back: sampledAt to the microsecond
		StoredContent row = new StoredContent("dev-1", 3, SAMPLED, SAMPLED, 1000, 1234.5, -28.5, 4000, "microphone",
				54.2, 61.0, 45.5, 58.0, 52.5, 48.3, true);
		Reading sent = new Reading("dev-1", 3, SAMPLED.plusNanos(789), 1000, 1234.5, -28.5, 4000, "microphone",
				LEVELS);

		assertThat(row.identity()).isEqualTo(ReadingIdentity.of(sent));
		assertThat(StoredContent.of(reading(null), SAMPLED).identity()).isEqualTo(ReadingIdentity.of(reading(null)));
		assertThat(row.identity()).isNotEqualTo(ReadingIdentity.of(reading(null)));
	}

	private static Reading reading(SoundLevels levels) {
		return new Reading("dev-1", 3, SAMPLED, 1000, 1234.5, -28.5, 4000, "microphone", levels);
	}

}
