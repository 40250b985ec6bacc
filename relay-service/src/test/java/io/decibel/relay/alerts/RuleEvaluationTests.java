package io.decibel.relay.alerts;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import io.decibel.relay.alerts.AlertSettings.Metric;
import io.decibel.relay.alerts.AlertSettings.Rule;
import io.decibel.relay.levels.LevelHistogram;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RuleEvaluationTests {

	static final ZoneId ZONE = ZoneId.of("Europe/Paris");

	final TreeMap<Instant, MinuteLevels> minutes = new TreeMap<>();

	final List<String> changes = new ArrayList<>();

	final RuleEvaluation.Changes recorder = new RuleEvaluation.Changes() {

		@Override
		public long raise(Instant raisedAt, double level) {
			RuleEvaluationTests.this.changes.add("raised " + local(raisedAt) + " " + level);
			return 1;
		}

		@Override
		public void level(long alertId, double level) {
			RuleEvaluationTests.this.changes.add("level " + level);
		}

		@Override
		public void clear(long alertId, Instant clearedAt, double level) {
			RuleEvaluationTests.this.changes.add("cleared " + local(clearedAt) + " " + level);
		}

	};

	@Test
	void raisesOnceTheDurationIsOverTheLimitFromTheFirstMinuteOverIt() {
		RuleEvaluation night = evaluation(rule(3, null, null));
		measure("22:00", 61, 70, 65, 66);

		RuleState state = night.evaluate(start("22:00"), this.minutes, at("23:00"), true, this.recorder);

		assertThat(this.changes).containsExactly("raised 22:00 70.0");
		assertThat(state.open()).isTrue();
		assertThat(state.next()).isEqualTo(at("22:04"));
	}

	@Test
	void clearsOnAMinuteAtTheLimitWithTheEpisodesHighestLevel() {
		RuleEvaluation rule = evaluation(rule(2, null, null));
		measure("22:00", 61, 62, 75, 60);

		rule.evaluate(start("22:00"), this.minutes, at("23:00"), true, this.recorder);

		assertThat(this.changes).containsExactly("raised 22:00 62.0", "level 75.0", "cleared 22:03 75.0");
	}

	@Test
	void aMinuteAtOrBelowTheLimitStartsTheRunAgain() {
		RuleEvaluation rule = evaluation(rule(3, null, null));
		measure("22:00", 70, 70, 55, 70, 70);

		RuleState state = rule.evaluate(start("22:00"), this.minutes, at("23:00"), true, this.recorder);

		assertThat(this.changes).isEmpty();
		assertThat(state.overMinutes()).isEqualTo(2);
		assertThat(state.firstOver()).isEqualTo(at("22:03"));
	}

	@Test
	void minutesWithoutReadingsNeitherCountNorBreakARunNorClear() {
		RuleEvaluation rule = evaluation(rule(3, null, null));
		measure("22:00", 70);
		measure("22:10", 71, 72);

		RuleState state = rule.evaluate(start("22:00"), this.minutes, at("23:30"), true, this.recorder);

		assertThat(this.changes).containsExactly("raised 22:00 72.0");
		assertThat(state.open()).isTrue();
	}

	@Test
	void countsOnlyMinutesInsideTheTimeOfDayAndClearsWhenItEndsAfterMidnight() {
		RuleEvaluation night = evaluation(rule(2, "23:00", "07:00"));
		measure("22:58", 70, 70, 70, 70);

		Instant morning = at("07:00").plus(Duration.ofDays(1));
		RuleState state = night.evaluate(start("22:58"), this.minutes, morning, true, this.recorder);

		assertThat(this.changes).containsExactly("raised 23:00 70.0", "cleared 07:00 70.0");
		assertThat(state.active()).isFalse();
		assertThat(state.next()).isEqualTo(morning);
	}

	@Test
	void whileReadingsAreStillComingOnlyALaterMinuteEndsTheTimeOfDay() {
		RuleEvaluation night = evaluation(rule(3, "23:00", "07:00"));
		Instant morning = at("08:00").plus(Duration.ofDays(1));
		measure("23:30", 70, 70);

		// last night's readings, sent in the morning: the window's end is long past, but more are on their way
		RuleState state = night.evaluate(start("23:00"), this.minutes, morning, false, this.recorder);
		measure("23:32", 70, 55);
		night.evaluate(state, this.minutes, morning, false, this.recorder);

		assertThat(this.changes).containsExactly("raised 23:30 70.0", "cleared 23:33 70.0");
	}

	@Test
	void theEndOfTheTimeOfDayEndsARunBeforeItRaises() {
		RuleEvaluation night = evaluation(rule(3, "20:00", "22:00"));
		measure("21:58", 70, 70, 70);

		RuleState state = night.evaluate(start("21:58"), this.minutes, at("23:00"), true, this.recorder);

		assertThat(this.changes).isEmpty();
		assertThat(state.active()).isFalse();
	}

	@Test
	void leavesMinutesThatHaveNotEndedByTheHorizonAndNeverEvaluatesAMinuteTwice() {
		RuleEvaluation rule = evaluation(rule(2, null, null));
		measure("22:00", 70, 70);

		// the second minute ends at 22:02: not yet
		RuleState state = rule.evaluate(start("22:00"), this.minutes, at("22:01:30"), true, this.recorder);
		assertThat(this.changes).isEmpty();
		assertThat(state.next()).isEqualTo(at("22:01"));

		state = rule.evaluate(state, this.minutes, at("22:02"), true, this.recorder);
		assertThat(this.changes).containsExactly("raised 22:00 70.0");

		// a reading stored late for a minute already evaluated, and the minutes evaluated again: no second alert
		measure("21:59", 80);
		state = rule.evaluate(state, this.minutes, at("22:03"), true, this.recorder);
		assertThat(this.changes).containsExactly("raised 22:00 70.0");
		assertThat(state.next()).isEqualTo(at("22:02"));
	}

	@Test
	void evaluatesMinutesStoredLateWhenNoneAfterThemWasEvaluated() {
		RuleEvaluation rule = evaluation(rule(2, null, null));
		RuleState state = rule.evaluate(start("22:00"), this.minutes, at("23:00"), true, this.recorder);
		assertThat(state.next()).isEqualTo(at("22:00"));

		// a device that was offline sends what it measured
		measure("22:10", 70, 70);
		rule.evaluate(state, this.minutes, at("23:00"), true, this.recorder);

		assertThat(this.changes).containsExactly("raised 22:10 70.0");
	}

	@Test
	void comparesTheMetricOfTheRule() {
		MinuteLevels minute = new MinuteLevels().add(30_000, 30_000 * Math.pow(10, 6.0), 72.5, "600:3 650:1")
			.add(30_000, 30_000 * Math.pow(10, 7.0), 80.0, "700:1");

		assertThat(minute.level(Metric.LAEQ)).isCloseTo(10 * Math.log10((1e6 + 1e7) / 2), within());
		assertThat(minute.level(Metric.LAFMAX)).isEqualTo(80.0);
		assertThat(minute.level(Metric.L10)).isEqualTo(70.0);
		assertThat(minute.level(Metric.L50)).isEqualTo(60.0);
		assertThat(minute.level(Metric.L90)).isEqualTo(60.0);
	}

	private static Offset<Double> within() {
		return Offset.offset(1e-9);
	}

	private static Rule rule(int minutes, String from, String to) {
		return new Rule("night", Metric.LAEQ, 60, Duration.ofMinutes(minutes),
				(from != null) ? LocalTime.parse(from) : null, (to != null) ? LocalTime.parse(to) : null, List.of());
	}

	private static RuleEvaluation evaluation(Rule rule) {
		return new RuleEvaluation(rule, ZONE);
	}

	/** One minute per level, from the local time given, each all at that LAeq. */
	private void measure(String from, double... levels) {
		Instant start = at(from);
		for (double level : levels) {
			this.minutes.put(start, new MinuteLevels().add(60_000, 60_000 * Math.pow(10, level / 10), level,
					new LevelHistogram().add(level).encode()));
			start = start.plus(Duration.ofMinutes(1));
		}
	}

	private static RuleState start(String time) {
		return RuleState.idle(at(time));
	}

	/** A local time of 2026-03-10 in the zone. */
	private static Instant at(String time) {
		return LocalDateTime.of(LocalDate.of(2026, 3, 10), LocalTime.parse(time)).atZone(ZONE).toInstant();
	}

	private static String local(Instant instant) {
		return LocalTime.ofInstant(instant, ZONE).toString();
	}

}
