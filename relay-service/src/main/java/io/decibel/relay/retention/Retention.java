package io.decibel.relay.retention;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import io.decibel.relay.database.DatabaseClock;
import io.decibel.relay.retention.RetentionStore.ReadingsChunk;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Deletes what is older than its retention period, on a thread of its own: raw readings, refused payloads and minute
 * aggregates, in small chunks, each its own short transaction, in the order of the table's time index, with a pause
 * between chunks in proportion to the chunk's time (retention takes at most its share of the database). Ingest never
 * waits for it: a chunk locks only the old rows it deletes.
 * <p>
 * Every relay runs it. Two at once take turns chunk by chunk (a chunk of readings locks its rows, the other relay's
 * waits for them, then finds the next ones) and delete nothing twice; a delete of the other tables finds what is
 * left. A run that fails (the database away) ends, and the next one starts an interval later.
 * <p>
 * Ages are told by the database's clock, read as a run starts: the rows' times are on it, and a relay whose own clock
 * runs fast deletes nothing early.
 */
@Component
class Retention implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

	private static final Duration MAX_FIRST_DELAY = Duration.ofMinutes(1);

	private final RetentionStore store;

	private final RetentionSettings settings;

	private final Clock clock;

	private final DatabaseClock databaseClock;

	private final ApplicationEventPublisher events;

	private final Counter readingsDeleted;

	private final Counter quarantineDeleted;

	private final Counter minutesDeleted;

	private final Counter failedRuns;

	private volatile @Nullable ScheduledExecutorService runs;

	private volatile @Nullable Instant lastRun;

	private volatile @Nullable Instant oldestReading;

	Retention(RetentionStore store, RetentionSettings settings, Clock clock, DatabaseClock databaseClock,
			ApplicationEventPublisher events, MeterRegistry meters) {
		this.store = store;
		this.settings = settings;
		this.clock = clock;
		this.databaseClock = databaseClock;
		this.events = events;
		this.readingsDeleted = deleted(meters, "readings");
		this.quarantineDeleted = deleted(meters, "quarantine");
		this.minutesDeleted = deleted(meters, "level_minutes");
		this.failedRuns = Counter.builder("decibel.relay.retention.runs.failed")
			.description("Retention runs that ended on a failure (the database away); the next run comes all the same")
			.register(meters);
		Gauge.builder("decibel.relay.retention.last.run", this, (r) -> seconds(r.lastRun))
			.description("When this relay's last retention run ended (seconds since the epoch)")
			.baseUnit("seconds")
			.register(meters);
		Gauge.builder("decibel.relay.retention.oldest.reading.age", this, Retention::oldestReadingAge)
			.description("How long ago the oldest reading kept was stored, as of the last retention run's end")
			.baseUnit("seconds")
			.register(meters);
	}

	private static Counter deleted(MeterRegistry meters, String table) {
		return Counter.builder("decibel.relay.retention.deleted")
			.description("Rows deleted by retention")
			.tag("table", table)
			.register(meters);
	}

	/** One run: each table down to its retention period, or until the relay stops. */
	void run() {
		try {
			Instant now = this.databaseClock.read();
			long readings = drain(this.settings.readings(), now, this::readingsChunk, this.readingsDeleted);
			long quarantine = drain(this.settings.quarantine(), now, rows(this.store::deleteQuarantine),
					this.quarantineDeleted);
			long minutes = drain(this.settings.minutes(), now, rows(this.store::deleteMinutes),
					this.minutesDeleted);
			this.oldestReading = this.store.oldestReading();
			this.lastRun = this.clock.instant();
			if (readings + quarantine + minutes > 0) {
				LOG.info("Retention deleted {} readings, {} quarantined payloads and {} minute aggregates", readings,
						quarantine, minutes);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			// a DataAccessException, or a TransactionException when no connection comes: thrown out of the task, it
			// would cancel every later run
			this.failedRuns.increment();
			LOG.warn("Retention stopped for this run, next in {}: {}", this.settings.interval(), ex.toString());
		}
	}

	/** Chunks of one table, until one finds fewer old rows than it may take. */
	private long drain(Duration keep, Instant now, Chunk chunk, Counter counter) throws InterruptedException {
		if (keep.isZero() || keep.isNegative()) {
			return 0;
		}
		Instant before = now.minus(keep);
		long total = 0;
		while (this.runs != null) {
			long started = System.nanoTime();
			long[] selectedAndDeleted = chunk.delete(before, this.settings.chunk());
			long took = System.nanoTime() - started;
			counter.increment(selectedAndDeleted[1]);
			total += selectedAndDeleted[1];
			if (selectedAndDeleted[0] < this.settings.chunk()) {
				break;
			}
			// in proportion to the chunk's time: retention has at most its share of the database, however slow
			long wait = (long) (took / 1_000_000 * (1 - this.settings.share()) / this.settings.share());
			Thread.sleep(Math.max(this.settings.pause().toMillis(), wait));
		}
		return total;
	}

	/** A chunk of readings; each device's delivery figures hear of it once it is committed. */
	private long[] readingsChunk(Instant before, int limit) {
		ReadingsChunk chunk = this.store.deleteReadings(before, limit);
		chunk.devices().forEach(this.events::publishEvent);
		return new long[] { chunk.selected(), chunk.deleted() };
	}

	private static Chunk rows(BiFunction<Instant, Integer, Integer> delete) {
		return (before, limit) -> {
			long deleted = delete.apply(before, limit);
			return new long[] { deleted, deleted };
		};
	}

	/** One chunk: how many old rows it found, and how many rows it deleted. */
	@FunctionalInterface
	private interface Chunk {

		long[] delete(Instant before, int limit);

	}

	private double oldestReadingAge() {
		Instant oldest = this.oldestReading;
		return (oldest != null) ? Duration.between(oldest, this.databaseClock.instant()).toMillis() / 1000.0
				: Double.NaN;
	}

	private static double seconds(@Nullable Instant instant) {
		return (instant != null) ? instant.toEpochMilli() / 1000.0 : Double.NaN;
	}

	@Override
	public void start() {
		if (!this.settings.enabled()) {
			LOG.info("Retention is off: the relay deletes nothing");
			return;
		}
		ScheduledExecutorService runs = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "retention");
			thread.setDaemon(true);
			return thread;
		});
		this.runs = runs;
		Duration interval = this.settings.interval();
		Duration first = (interval.compareTo(MAX_FIRST_DELAY) < 0) ? interval : MAX_FIRST_DELAY;
		runs.scheduleWithFixedDelay(this::run, first.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** A chunk under way commits (or rolls back); the run ends at the next pause. */
	@Override
	public void stop() {
		ScheduledExecutorService runs = this.runs;
		this.runs = null;
		if (runs == null) {
			return;
		}
		runs.shutdownNow();
		try {
			if (!runs.awaitTermination(10, TimeUnit.SECONDS)) {
				LOG.warn("Retention did not stop within 10 s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.runs != null;
	}

}
