package io.decibel.relay.alerts;

import java.time.Duration;
import java.time.LocalTime;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Threshold rules on the devices' minute levels, and how often the relays look at them (docs/levels.md, alerts).
 *
 * @param rules the rules; none: no alerts
 * @param interval how often a relay evaluates the minutes that have ended and publishes the alert changes not yet
 * published
 * @param grace how long after a minute's end it is evaluated: readings of that minute still on their way are stored
 * meanwhile
 * @param lookBack how far back evaluation starts for a device (and rule) first seen, and the furthest back it ever
 * reaches: minutes older than this are never evaluated
 */
@ConfigurationProperties("decibel.relay.alerts")
public record AlertSettings(@DefaultValue List<Rule> rules, @DefaultValue("10s") Duration interval,
		@DefaultValue("5s") Duration grace, @DefaultValue("1h") Duration lookBack) {

	public AlertSettings {
		if (interval.isNegative() || interval.isZero()) {
			throw new IllegalArgumentException("decibel.relay.alerts.interval must be positive, not " + interval);
		}
		if (grace.isNegative()) {
			throw new IllegalArgumentException("decibel.relay.alerts.grace must not be negative, not " + grace);
		}
		if (lookBack.compareTo(Duration.ofMinutes(1)) < 0) {
			throw new IllegalArgumentException("decibel.relay.alerts.look-back must be at least 1m, not " + lookBack);
		}
		Set<String> names = new HashSet<>();
		for (Rule rule : rules) {
			if (!names.add(rule.name())) {
				throw new IllegalArgumentException(
						"decibel.relay.alerts.rules: the name '" + rule.name() + "' is used by two rules");
			}
		}
	}

	/**
	 * A level over a limit for a duration, optionally only within a time of day.
	 *
	 * @param name the rule's name, unique, in alerts and metrics
	 * @param metric the level of a minute compared: {@code laeq} (the minute's Leq), {@code lafmax}, {@code l10},
	 * {@code l50} or {@code l90}
	 * @param limit dB; a minute over it counts, one at or below it clears
	 * @param duration how many consecutive measured minutes over the limit raise an alert: whole minutes, at least one
	 * @param from the start of the time of day the rule applies in ({@code decibel.relay.levels.zone}); with
	 * {@code to}, or neither (all day)
	 * @param to the end of that time of day (exclusive); before {@code from} when it spans midnight (23:00 to 07:00)
	 * @param devices the devices the rule applies to; empty: all
	 */
	public record Rule(String name, Metric metric, double limit, Duration duration, @Nullable LocalTime from,
			@Nullable LocalTime to, @DefaultValue List<String> devices) {

		public Rule {
			if (name == null || name.isBlank() || name.length() > 100) {
				throw new IllegalArgumentException(
						"decibel.relay.alerts.rules: each rule needs a name of 1 to 100 characters");
			}
			String where = "decibel.relay.alerts.rules '" + name + "': ";
			if (metric == null) {
				throw new IllegalArgumentException(where + "metric is missing (laeq, lafmax, l10, l50 or l90)");
			}
			if (!Double.isFinite(limit)) {
				throw new IllegalArgumentException(where + "limit must be a number of dB");
			}
			if (duration == null || duration.compareTo(Duration.ofMinutes(1)) < 0
					|| !duration.equals(Duration.ofMinutes(duration.toMinutes()))) {
				throw new IllegalArgumentException(where + "duration must be a whole number of minutes, at least 1m,"
						+ " not " + duration + ": rules are evaluated on minute levels");
			}
			if ((from == null) != (to == null)) {
				throw new IllegalArgumentException(where + "from and to come together (a time of day), or neither");
			}
			if (from != null && from.equals(to)) {
				throw new IllegalArgumentException(where + "from and to are the same time; leave both out for all day");
			}
			for (LocalTime time : new LocalTime[] { from, to }) {
				if (time != null && (time.getSecond() != 0 || time.getNano() != 0)) {
					throw new IllegalArgumentException(where + "from and to are whole minutes, not " + time);
				}
			}
		}

		/** How many minutes over the limit raise an alert. */
		int minutes() {
			return Math.toIntExact(this.duration.toMinutes());
		}

		boolean appliesTo(String deviceId) {
			return this.devices.isEmpty() || this.devices.contains(deviceId);
		}

		/** Whether a minute starting at this local time is in the rule's time of day. */
		boolean inWindow(LocalTime time) {
			if (this.from == null || this.to == null) {
				return true;
			}
			if (this.from.isBefore(this.to)) {
				return !time.isBefore(this.from) && time.isBefore(this.to);
			}
			return !time.isBefore(this.from) || time.isBefore(this.to);
		}

	}

	/** The level of a minute a rule compares. */
	public enum Metric {

		LAEQ, LAFMAX, L10, L50, L90;

		/** As in alerts and the API. */
		String label() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

}
