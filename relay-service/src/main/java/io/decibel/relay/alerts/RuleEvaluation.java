package io.decibel.relay.alerts;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.NavigableMap;

import io.decibel.relay.alerts.AlertSettings.Rule;
import org.jspecify.annotations.Nullable;

/**
 * One rule over one device's minutes, in order: {@code duration} measured minutes in a row over the limit, inside the
 * rule's time of day, raise an alert (from the first of them); a measured minute at or below the limit, or the end of
 * the time of day, clears it. A minute without readings is passed over: it neither counts nor breaks a run.
 * <p>
 * The state's {@code next} moves past each measured minute evaluated, and to the end of a time window that ended a run
 * or an alert; it does not move over minutes without readings otherwise, so that readings stored late for such a
 * minute (a device that sends what it held while offline) are still evaluated. A minute once evaluated is never
 * evaluated again.
 */
final class RuleEvaluation {

	static final Duration MINUTE = Duration.ofMinutes(1);

	/** What an evaluation changes beside the state. */
	interface Changes {

		/** @return the new alert's id */
		long raise(Instant raisedAt, double level);

		void level(long alertId, double level);

		void clear(long alertId, Instant clearedAt, double level);

	}

	private final Rule rule;

	private final ZoneId zone;

	RuleEvaluation(Rule rule, ZoneId zone) {
		this.rule = rule;
		this.zone = zone;
	}

	/**
	 * Evaluates the minutes from {@code state.next()} that have ended by {@code horizon}.
	 * @param minutes the device's measured minutes by their start, at least those from {@code state.next()} on
	 * @param horizon minutes that end after it, and window ends after it, are left for later
	 * @param quiet whether the device has sent nothing for a while: then a time window that ended by the horizon ends
	 * a run or an alert though no later minute has been evaluated. While readings are still coming (a device sending
	 * what it held while offline), only a later minute does, so that a window long ended does not cut short what is
	 * still being uploaded.
	 */
	RuleState evaluate(RuleState state, NavigableMap<Instant, MinuteLevels> minutes, Instant horizon, boolean quiet,
			Changes changes) {
		for (Map.Entry<Instant, MinuteLevels> minute : minutes.tailMap(state.next(), true).entrySet()) {
			Instant start = minute.getKey();
			if (start.plus(MINUTE).isAfter(horizon)) {
				break;
			}
			state = windowEnd(state, start, changes);
			state = state.next(start.plus(MINUTE));
			double level = minute.getValue().level(this.rule.metric());
			if (!inWindow(start) || Double.isNaN(level)) {
				continue;
			}
			state = (level > this.rule.limit()) ? over(state, start, level, changes) : atOrBelow(state, start, changes);
		}
		return quiet ? windowEnd(state, horizon, changes) : state;
	}

	/** Ends a run or an alert at the end of the time window, if that comes by {@code until}. */
	private RuleState windowEnd(RuleState state, Instant until, Changes changes) {
		if (!state.active()) {
			return state;
		}
		Instant end = windowEndFrom(state.next());
		if (end == null || end.isAfter(until)) {
			return state;
		}
		if (state.open()) {
			changes.clear(state.alertId(), end, state.level());
		}
		return RuleState.idle(end.isAfter(state.next()) ? end : state.next());
	}

	private RuleState over(RuleState state, Instant start, double level, Changes changes) {
		int overMinutes = state.overMinutes() + 1;
		Instant firstOver = (state.firstOver() != null) ? state.firstOver() : start;
		double highest = Double.isNaN(state.level()) ? level : Math.max(state.level(), level);
		Long alertId = state.alertId();
		if (alertId != null) {
			if (highest > state.level()) {
				changes.level(alertId, highest);
			}
		}
		else if (overMinutes >= this.rule.minutes()) {
			alertId = changes.raise(firstOver, highest);
		}
		return new RuleState(state.next(), overMinutes, firstOver, highest, alertId);
	}

	private RuleState atOrBelow(RuleState state, Instant start, Changes changes) {
		if (state.open()) {
			changes.clear(state.alertId(), start, state.level());
		}
		return RuleState.idle(state.next());
	}

	boolean inWindow(Instant minute) {
		return this.rule.inWindow(LocalTime.ofInstant(minute, this.zone));
	}

	/**
	 * The first instant from {@code from} on that is outside the rule's time of day: {@code from} itself when it is
	 * outside, {@code null} for a rule of the whole day.
	 */
	@Nullable Instant windowEndFrom(Instant from) {
		if (this.rule.from() == null || this.rule.to() == null) {
			return null;
		}
		if (!inWindow(from)) {
			return from;
		}
		LocalDateTime local = LocalDateTime.ofInstant(from, this.zone);
		LocalDate endDay = (this.rule.to().isAfter(this.rule.from()) || local.toLocalTime().isBefore(this.rule.to()))
				? local.toLocalDate() : local.toLocalDate().plusDays(1);
		return ZonedDateTime.of(endDay, this.rule.to(), this.zone).toInstant();
	}

}
