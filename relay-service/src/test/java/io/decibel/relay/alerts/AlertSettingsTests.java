package io.decibel.relay.alerts;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;

import io.decibel.relay.alerts.AlertSettings.Metric;
import io.decibel.relay.alerts.AlertSettings.Rule;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class AlertSettingsTests {

	@Test
	void refusesADurationThatIsNotWholeMinutes() {
		assertThatIllegalArgumentException().isThrownBy(() -> rule(Duration.ofSeconds(30), null, null))
			.withMessageContaining("'night': duration must be a whole number of minutes, at least 1m");
		assertThatIllegalArgumentException().isThrownBy(() -> rule(Duration.ofSeconds(90), null, null))
			.withMessageContaining("whole number of minutes");
	}

	@Test
	void refusesAWindowWithOneEndOnly() {
		assertThatIllegalArgumentException().isThrownBy(() -> rule(Duration.ofMinutes(5), LocalTime.of(23, 0), null))
			.withMessageContaining("from and to come together");
	}

	@Test
	void refusesTwoRulesOfOneName() {
		Rule rule = rule(Duration.ofMinutes(5), null, null);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new AlertSettings(List.of(rule, rule), Duration.ofSeconds(10), Duration.ofSeconds(5),
					Duration.ofHours(1)))
			.withMessageContaining("'night' is used by two rules");
	}

	@Test
	void aWindowMaySpanMidnight() {
		Rule night = rule(Duration.ofMinutes(5), LocalTime.of(23, 0), LocalTime.of(7, 0));

		assertThat(night.inWindow(LocalTime.of(23, 0))).isTrue();
		assertThat(night.inWindow(LocalTime.of(3, 0))).isTrue();
		assertThat(night.inWindow(LocalTime.of(6, 59))).isTrue();
		assertThat(night.inWindow(LocalTime.of(7, 0))).isFalse();
		assertThat(night.inWindow(LocalTime.of(22, 59))).isFalse();
	}

	private static Rule rule(Duration duration, LocalTime from, LocalTime to) {
		return new Rule("night", Metric.LAEQ, 45, duration, from, to, List.of());
	}

}
