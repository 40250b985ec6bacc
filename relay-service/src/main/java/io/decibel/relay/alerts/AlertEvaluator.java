package io.decibel.relay.alerts;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.decibel.contract.AlertChange;
import io.decibel.relay.alerts.AlertSettings.Rule;
import io.decibel.relay.alerts.AlertStore.EvaluationLock;
import io.decibel.relay.database.DatabaseClock;
import io.decibel.relay.levels.LevelSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Evaluates the alert rules every {@code interval}, one relay at a time (the evaluation lock), over the minutes that
 * ended at least {@code grace} ago, for the devices whose minutes any relay wrote lately ({@code level_minutes}'s
 * {@code updated_at}) and for those with a run or an alert going on; then publishes what the outbox holds. A change is stored with the state that made it, in one
 * transaction: whichever relay evaluates a device next finds it.
 * <p>
 * Meters: {@code decibel.relay.alerts} (changes, tagged {@code rule} and {@code change}: raised, cleared) and
 * {@code decibel.relay.alerts.open} (open alerts in the database, as this relay last counted them).
 */
@Component
class AlertEvaluator implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(AlertEvaluator.class);

	private final AlertSettings settings;

	private final LevelSettings levels;

	private final AlertStore store;

	private final AlertPublisher publisher;

	private final TransactionTemplate transaction;

	private final MeterRegistry meters;

	private final DatabaseClock clock;

	/** For a minute part written before an evaluation began and committed after it. */
	private static final Duration MARGIN = Duration.ofSeconds(30);

	private final AtomicLong open = new AtomicLong();

	private @Nullable ScheduledExecutorService scheduler;

	private volatile boolean failing;

	private volatile boolean running;

	AlertEvaluator(AlertSettings settings, LevelSettings levels, AlertStore store, AlertPublisher publisher,
			PlatformTransactionManager transactions, MeterRegistry meters, DatabaseClock clock) {
		this.settings = settings;
		this.clock = clock;
		this.levels = levels;
		this.store = store;
		this.publisher = publisher;
		this.transaction = new TransactionTemplate(transactions);
		this.meters = meters;
		for (Rule rule : settings.rules()) {
			for (AlertChange change : AlertChange.values()) {
				changes(rule.name(), change);
			}
		}
		Gauge.builder("decibel.relay.alerts.open", this.open, AtomicLong::get)
			.description("Alerts open, in the database")
			.register(meters);
	}

	/** One round: evaluate, publish, count. Never throws: a database or broker away is tried again next round. */
	void round() {
		try {
			evaluate(this.clock.instant());
			this.publisher.publishPending();
			this.open.set(this.transaction.execute((status) -> this.store.openAlerts()));
			if (this.failing) {
				LOG.info("Alerts evaluated and published again");
				this.failing = false;
			}
		}
		catch (RuntimeException ex) {
			if (!this.failing) {
				LOG.warn("Alerts not evaluated or published this round, tried again every {}: {}",
						this.settings.interval(), ex.toString());
				this.failing = true;
			}
			else {
				LOG.debug("Alerts still not evaluated", ex);
			}
		}
	}

	void evaluate(Instant now) {
		Instant horizon = now.minus(this.settings.grace());
		Instant floor = now.minus(this.settings.lookBack()).truncatedTo(ChronoUnit.MINUTES);
		List<Runnable> afterCommit = new ArrayList<>();
		this.transaction.executeWithoutResult((status) -> {
			afterCommit.clear();
			EvaluationLock lock = this.store.lockEvaluation();
			Set<String> devices = new TreeSet<>(this.store.devicesWrittenSince(since(lock)));
			devices.addAll(this.store.activeDevices());
			for (String deviceId : devices) {
				evaluate(deviceId, floor, horizon, now, afterCommit);
			}
		});
		afterCommit.forEach(Runnable::run);
	}

	/**
	 * Devices whose minutes were written since this is evaluated: since the evaluation before began (whichever relay
	 * ran it, however long ago, within the look-back), and at least for as long as a minute written lately may take
	 * to end and pass its grace — a device that sent its last reading then still has that minute to be evaluated.
	 */
	private Instant since(EvaluationLock lock) {
		Instant lately = lock.began().minus(RuleEvaluation.MINUTE).minus(this.settings.grace()).minus(MARGIN);
		Instant since = (lock.previous() != null && lock.previous().minus(MARGIN).isBefore(lately))
				? lock.previous().minus(MARGIN) : lately;
		Instant earliest = lock.began().minus(this.settings.lookBack());
		return since.isBefore(earliest) ? earliest : since;
	}

	private void evaluate(String deviceId, Instant floor, Instant horizon, Instant now, List<Runnable> afterCommit) {
		List<Rule> rules = this.settings.rules().stream().filter((rule) -> rule.appliesTo(deviceId)).toList();
		if (rules.isEmpty()) {
			return;
		}
		Map<String, RuleState> stored = this.store.states(deviceId);
		Map<Rule, RuleState> states = new HashMap<>();
		Instant since = horizon;
		for (Rule rule : rules) {
			RuleState state = stored.get(rule.name());
			// first seen, or idle since before the look-back: start at the look-back
			if (state == null || (!state.active() && state.next().isBefore(floor))) {
				state = RuleState.idle(floor);
			}
			states.put(rule, state);
			since = state.next().isBefore(since) ? state.next() : since;
		}
		NavigableMap<Instant, MinuteLevels> minutes = this.store.minutes(deviceId, since, horizon);
		Instant lastStored = this.store.lastStored(deviceId);
		boolean quiet = lastStored == null || !lastStored.isAfter(horizon);
		for (Rule rule : rules) {
			RuleState before = states.get(rule);
			RuleState after = new RuleEvaluation(rule, this.levels.zone()).evaluate(before, minutes, horizon,
					quiet, new StoredChanges(rule, deviceId, now, afterCommit));
			if (!after.equals(stored.get(rule.name()))) {
				this.store.save(rule.name(), deviceId, after);
			}
		}
	}

	private Counter changes(String rule, AlertChange change) {
		return Counter.builder("decibel.relay.alerts")
			.description("Alert changes stored, by rule and change")
			.tag("rule", rule)
			.tag("change", change.name().toLowerCase())
			.register(this.meters);
	}

	/** Each change stored in the evaluation's transaction; logged and counted once it commits. */
	private final class StoredChanges implements RuleEvaluation.Changes {

		private final Rule rule;

		private final String deviceId;

		private final Instant now;

		private final List<Runnable> afterCommit;

		StoredChanges(Rule rule, String deviceId, Instant now, List<Runnable> afterCommit) {
			this.rule = rule;
			this.deviceId = deviceId;
			this.now = now;
			this.afterCommit = afterCommit;
		}

		@Override
		public long raise(Instant raisedAt, double level) {
			long id = AlertEvaluator.this.store.raise(this.rule, this.deviceId, raisedAt, level, this.now);
			this.afterCommit.add(() -> {
				LOG.info("Alert {} RAISED: rule {}, device {}, {} over {} dB since {} (highest {} dB)", id,
						this.rule.name(), this.deviceId, this.rule.metric().label(), this.rule.limit(), raisedAt,
						level);
				changes(this.rule.name(), AlertChange.RAISED).increment();
			});
			return id;
		}

		@Override
		public void level(long alertId, double level) {
			AlertEvaluator.this.store.level(alertId, level);
		}

		@Override
		public void clear(long alertId, Instant clearedAt, double level) {
			AlertEvaluator.this.store.clear(alertId, clearedAt, level, this.now);
			this.afterCommit.add(() -> {
				LOG.info("Alert {} CLEARED: rule {}, device {}, at {} (highest {} dB)", alertId, this.rule.name(),
						this.deviceId, clearedAt, level);
				changes(this.rule.name(), AlertChange.CLEARED).increment();
			});
		}

	}

	@Override
	public void start() {
		this.running = true;
		// without rules, the relay leaves the alerts' tables alone
		if (this.settings.rules().isEmpty()) {
			return;
		}
		ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "alerts");
			thread.setDaemon(true);
			return thread;
		});
		long interval = this.settings.interval().toMillis();
		scheduler.scheduleWithFixedDelay(this::round, interval, interval, TimeUnit.MILLISECONDS);
		this.scheduler = scheduler;
		LOG.info("Alerts: {} rules evaluated every {}, {} after each minute's end", this.settings.rules().size(),
				this.settings.interval(), this.settings.grace());
	}

	@Override
	public void stop() {
		this.running = false;
		ScheduledExecutorService scheduler = this.scheduler;
		if (scheduler != null) {
			scheduler.shutdownNow();
			try {
				scheduler.awaitTermination(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.scheduler = null;
		}
		this.publisher.close();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
