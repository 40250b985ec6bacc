package io.decibel.relay.levels;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;

import io.decibel.relay.levels.LdenPeriods.Period;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LdenPeriodsTests {

	final LdenPeriods berlin = new LdenPeriods(new LevelSettings(ZoneId.of("Europe/Berlin"), LocalTime.of(7, 0),
			LocalTime.of(19, 0), LocalTime.of(23, 0)));

	@Test
	void givesADayThatChangesTheClocksANightOfSevenOrNineHours() {
		assertThat(this.berlin.lengths(LocalDate.parse("2026-07-01"))).containsExactly(Duration.ofHours(12),
				Duration.ofHours(4), Duration.ofHours(8));
		assertThat(this.berlin.lengths(LocalDate.parse("2026-03-29"))).containsExactly(Duration.ofHours(12),
				Duration.ofHours(4), Duration.ofHours(7));
		assertThat(this.berlin.lengths(LocalDate.parse("2026-10-25"))).containsExactly(Duration.ofHours(12),
				Duration.ofHours(4), Duration.ofHours(9));
	}

	@Test
	void putsEachLocalHourInItsPeriod() {
		// 2026-10-25: 02:00 local comes twice (00:00Z in summer time, 01:00Z in winter time), both at night
		assertThat(this.berlin.of(Instant.parse("2026-10-25T00:00:00Z"))).isEqualTo(Period.NIGHT);
		assertThat(this.berlin.of(Instant.parse("2026-10-25T01:00:00Z"))).isEqualTo(Period.NIGHT);
		assertThat(this.berlin.of(Instant.parse("2026-10-25T05:00:00Z"))).isEqualTo(Period.NIGHT);
		assertThat(this.berlin.of(Instant.parse("2026-10-25T06:00:00Z"))).isEqualTo(Period.DAY);
		assertThat(this.berlin.of(Instant.parse("2026-10-25T17:00:00Z"))).isEqualTo(Period.DAY);
		assertThat(this.berlin.of(Instant.parse("2026-10-25T18:00:00Z"))).isEqualTo(Period.EVENING);
		assertThat(this.berlin.of(Instant.parse("2026-10-25T21:00:00Z"))).isEqualTo(Period.EVENING);
		assertThat(this.berlin.of(Instant.parse("2026-10-25T22:00:00Z"))).isEqualTo(Period.NIGHT);
	}

	@Test
	void weighsTheEveningAndTheNightByTheirPenaltiesAndLengths() {
		// the same level all day: Lden = L + 10·log10((12 + 4·10^0.5 + 8·10) / 24) = L + 6.40 dB
		assertThat(this.berlin.lden(LocalDate.parse("2026-07-01"), 50.0, 50.0, 50.0)).isCloseTo(56.40,
				within(0.005));
		// a night of 9 hours weighs more: L + 10·log10((12 + 4·10^0.5 + 9·10) / 25) = L + 6.61 dB
		assertThat(this.berlin.lden(LocalDate.parse("2026-10-25"), 50.0, 50.0, 50.0)).isCloseTo(56.61,
				within(0.005));
		assertThat(this.berlin.lden(LocalDate.parse("2026-07-01"), 50.0, null, 50.0)).isNull();
	}

}
