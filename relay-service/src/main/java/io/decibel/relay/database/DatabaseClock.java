package io.decibel.relay.database;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The database's clock, as the relay reads it. The times the relay stores ({@code stored_at}, {@code received_at}),
 * the "sampledAt in the future" check, retention's cut-off, which minutes alert evaluation takes as over and the end
 * of the levels API's default window all go by it, so that every relay goes by the one clock that also holds the
 * rows: a relay whose own clock runs slow does not refuse valid readings as from the future, and one whose clock runs
 * fast does not delete what the others have just stored.
 * <p>
 * Cheap on the hot path: the database's UTC time ({@code utc_timestamp(6)}, whatever the session's time zone) is read
 * every {@code clock-check-interval}, one round trip, and carried forward between reads by {@link System#nanoTime()},
 * which no step of the host's clock moves. The same read measures the relay's own {@link Clock} against it: beyond
 * {@code max-clock-skew} the relay is not ready ({@link DatabaseClockHealthIndicator}), logs it once per change and
 * counts it: what still goes by the relay's clock (its log lines, when an alert was published, the retention run's
 * gauge) is off by as much, and the host's time synchronisation wants looking at.
 */
@Component
public class DatabaseClock implements SmartLifecycle {

	private static final Logger LOG = LoggerFactory.getLogger(DatabaseClock.class);

	/** As text: a driver would turn a DATETIME into an instant through the JVM's or the session's time zone. */
	static final String NOW = "select date_format(utc_timestamp(6), '%Y-%m-%d %H:%i:%s.%f')";

	private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
		.withZone(ZoneOffset.UTC);

	private final JdbcTemplate jdbc;

	private final Clock relayClock;

	private final DatabaseClockSettings settings;

	private final Counter skewedEpisodes;

	private volatile @Nullable Measurement last;

	private volatile boolean skewed;

	private volatile @Nullable ScheduledExecutorService checks;

	DatabaseClock(JdbcTemplate jdbc, Clock relayClock, DatabaseClockSettings settings, MeterRegistry meters) {
		this.jdbc = jdbc;
		this.relayClock = relayClock;
		this.settings = settings;
		this.skewedEpisodes = Counter.builder("decibel.relay.database.clock.skewed")
			.description("Times the relay's clock was found further from the database's than"
					+ " decibel.relay.database.max-clock-skew (once each time it goes beyond)")
			.register(meters);
		Gauge.builder("decibel.relay.database.clock.skew", this, DatabaseClock::skewSeconds)
			.description("The relay's clock minus the database's, as last measured")
			.baseUnit("seconds")
			.register(meters);
	}

	/**
	 * The database's time now, carried forward from its last read; the relay's own clock until the database was read
	 * once (the relay started while it was away).
	 */
	public Instant instant() {
		Measurement last = this.last;
		return (last != null) ? last.at(System.nanoTime()) : this.relayClock.instant();
	}

	/**
	 * The database's time now, carried forward from its last read, or read first if it never was: for what is written
	 * to the database, which is there to be read.
	 * @throws DataAccessException when the database cannot be read
	 */
	public Instant measuredInstant() {
		return (this.last != null) ? instant() : read();
	}

	/**
	 * The database's time, read now: one round trip.
	 * @throws DataAccessException when the database cannot be read
	 */
	public Instant read() {
		Measurement measurement = measure();
		this.last = measurement;
		judge(measurement);
		return measurement.at(System.nanoTime());
	}

	/** Whether the relay's clock was, at the last read, within {@code max-clock-skew} of the database's. */
	public boolean skewWithinLimit() {
		return this.last != null && !this.skewed;
	}

	/** The skew as last measured, in words, for a log line. */
	public String skewDescription() {
		Measurement last = this.last;
		return (last != null) ? "off by " + last.skew() : "the database's clock not read yet";
	}

	/** The last read, if any. */
	@Nullable Measurement lastMeasurement() {
		return this.last;
	}

	Duration maxSkew() {
		return this.settings.maxClockSkew();
	}

	/** The database's clock as a {@link Clock} (UTC), for code that takes one. */
	public Clock asClock() {
		return new View(this, ZoneOffset.UTC);
	}

	private Measurement measure() {
		Measurement measurement = this.jdbc.execute((ConnectionCallback<Measurement>) (connection) -> {
			try (PreparedStatement statement = connection.prepareStatement(NOW)) {
				long sent = System.nanoTime();
				Instant relaySent = this.relayClock.instant();
				try (ResultSet result = statement.executeQuery()) {
					long back = System.nanoTime();
					result.next();
					Instant database = DATETIME.parse(result.getString(1), Instant::from);
					// the server read its clock somewhere in the round trip: in the middle, give or take half of it
					long middle = sent + (back - sent) / 2;
					Duration skew = Duration.between(database, relaySent.plusNanos(middle - sent));
					return new Measurement(database, middle, skew, Duration.ofNanos(back - sent));
				}
			}
		});
		if (measurement == null) {
			throw new IllegalStateException("No answer to " + NOW);
		}
		return measurement;
	}

	/** Logs and counts a change of the skew's side of the limit, once. */
	private synchronized void judge(Measurement measurement) {
		boolean beyond = measurement.skew().abs().compareTo(this.settings.maxClockSkew()) > 0;
		if (beyond == this.skewed) {
			return;
		}
		this.skewed = beyond;
		if (beyond) {
			this.skewedEpisodes.increment();
			LOG.warn("The relay's clock is {} off the database's ({} relay, {} database), more than "
					+ "decibel.relay.database.max-clock-skew ({}): readiness DOWN. Stored times, retention and the "
					+ "sampledAt check go by the database's clock; a reading failing a time check is left unanswered "
					+ "meanwhile. Check the host's time synchronisation (NTP)", measurement.skew(),
					measurement.database().plus(measurement.skew()), measurement.database(),
					this.settings.maxClockSkew());
		}
		else {
			LOG.info("The relay's clock is within {} of the database's again ({} off): readiness UP",
					this.settings.maxClockSkew(), measurement.skew());
		}
	}

	private void check() {
		try {
			read();
		}
		catch (RuntimeException ex) {
			// the database away: its other health says so; the last read is carried forward meanwhile
			LOG.debug("Could not read the database's clock: {}", ex.toString());
		}
	}

	private double skewSeconds() {
		Measurement last = this.last;
		return (last != null) ? last.skew().toNanos() / 1e9 : Double.NaN;
	}

	/** The first read before the first reading is taken; then one every interval. */
	@Override
	public void start() {
		check();
		ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "database-clock");
			thread.setDaemon(true);
			return thread;
		});
		this.checks = checks;
		long interval = this.settings.clockCheckInterval().toMillis();
		checks.scheduleWithFixedDelay(this::check, interval, interval, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		ScheduledExecutorService checks = this.checks;
		this.checks = null;
		if (checks != null) {
			checks.shutdownNow();
		}
	}

	@Override
	public boolean isRunning() {
		return this.checks != null;
	}

	/** Before the MQTT adapters: the first reading already finds the database's time read. */
	@Override
	public int getPhase() {
		return Integer.MIN_VALUE + 1000;
	}

	/**
	 * One read of the database's clock.
	 * @param database the database's UTC time, as read
	 * @param nanoTime the {@link System#nanoTime()} it stands for
	 * @param skew the relay's clock minus the database's
	 * @param roundTrip the read's round trip: the skew is right to half of it
	 */
	record Measurement(Instant database, long nanoTime, Duration skew, Duration roundTrip) {

		Instant at(long nanoTime) {
			return this.database.plusNanos(nanoTime - this.nanoTime);
		}

	}

	private static final class View extends Clock {

		private final DatabaseClock clock;

		private final ZoneId zone;

		View(DatabaseClock clock, ZoneId zone) {
			this.clock = clock;
			this.zone = zone;
		}

		@Override
		public Instant instant() {
			return this.clock.instant();
		}

		@Override
		public ZoneId getZone() {
			return this.zone;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return new View(this.clock, zone);
		}

	}

}
