package io.decibel.relay.readings;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The pauses between attempts at work that fails until something outside comes back (the database): the first
 * {@value #FIRST_MILLIS} ms, each next one twice as long, never longer than the cap. A pause ends early when the
 * work is told to stop. One per series of attempts: it remembers how far the series has come.
 */
final class Backoff {

	static final long FIRST_MILLIS = 100;

	/** The longest a pause sleeps before it looks again whether the work is to stop. */
	private static final long STOP_CHECK_MILLIS = 50;

	private final Duration cap;

	private final BooleanSupplier running;

	private Duration next;

	/**
	 * @param cap the longest pause
	 * @param running whether the work is still to go on: a pause ends as soon as it is not
	 */
	Backoff(Duration cap, BooleanSupplier running) {
		this.cap = cap;
		this.running = running;
		this.next = min(Duration.ofMillis(FIRST_MILLIS), cap);
	}

	/**
	 * Sleeps the next pause, or less if the work is told to stop meanwhile.
	 * @return whether the work goes on: {@code false} when it is to stop or the thread was interrupted (its
	 * interrupt status kept)
	 */
	boolean pause() {
		long until = System.nanoTime() + next().toNanos();
		try {
			while (this.running.getAsBoolean()) {
				long left = until - System.nanoTime();
				if (left <= 0) {
					return true;
				}
				Thread.sleep(Math.min(STOP_CHECK_MILLIS, Math.max(1, left / 1_000_000)));
			}
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** The length of the next pause, and the series moves on: twice as long the time after, up to the cap. */
	Duration next() {
		Duration pause = this.next;
		this.next = min(pause.multipliedBy(2), this.cap);
		return pause;
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

}
