package io.decibel.e2e;

import java.time.Duration;
import java.util.concurrent.Callable;

import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/** The timeline of a scenario under load: how long its phases last, and waits whose outcome is a figure. */
final class Timeline {

	private Timeline() {
	}

	/** A phase (load, a fault) lasts: this is the scenario, not a wait for a condition. */
	static void lasts(Duration duration) throws InterruptedException {
		if (!duration.isNegative()) {
			Thread.sleep(duration.toMillis());
		}
	}

	/** Whether the condition came true within the timeout; the caller reports and asserts it with its figures. */
	static boolean awaitQuietly(Duration timeout, Callable<Boolean> condition) {
		try {
			await().atMost(timeout).pollInterval(Duration.ofMillis(500)).until(condition);
			return true;
		}
		catch (ConditionTimeoutException ex) {
			return false;
		}
	}

}
