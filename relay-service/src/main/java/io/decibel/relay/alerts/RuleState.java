package io.decibel.relay.alerts;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Where one rule stands for one device ({@code alert_states}).
 *
 * @param next the first minute not yet evaluated
 * @param overMinutes how many measured minutes in a row have been over the limit
 * @param firstOver the first of them
 * @param level the highest minute level among them (of the open alert's episode), {@code NaN} when none
 * @param alertId the open alert, {@code null} when none is
 */
record RuleState(Instant next, int overMinutes, @Nullable Instant firstOver, double level, @Nullable Long alertId) {

	static RuleState idle(Instant next) {
		return new RuleState(next, 0, null, Double.NaN, null);
	}

	/** A run over the limit is going on, or an alert is open: the end of the rule's time window matters. */
	boolean active() {
		return this.overMinutes > 0 || this.alertId != null;
	}

	boolean open() {
		return this.alertId != null;
	}

	RuleState next(Instant next) {
		return new RuleState(next, this.overMinutes, this.firstOver, this.level, this.alertId);
	}

}
