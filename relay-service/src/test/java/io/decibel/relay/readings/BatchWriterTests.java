package io.decibel.relay.readings;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.contract.Reading;
import io.decibel.contract.ReadingIdentity;
import io.decibel.relay.quarantine.QuarantineRepository;
import io.decibel.relay.quarantine.QuarantinedPayload;
import io.decibel.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Batches written straight through the relay's store, on the real database, with the refusals a database gives: a
 * trigger, a check constraint, another relay's insert of the same key, a device id that differs only in case.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class BatchWriterTests {

	/**
	 * Refuses two seqs of one device for good, as a database refuses a value it cannot hold: SQLSTATE 45000, error
	 * 1644. Portable to MySQL 8 and MariaDB; the IF is the trigger's one statement, so no delimiter is needed.
	 */
	static final String POISON_TRIGGER = "create trigger test_poison before insert on readings for each row"
			+ " if new.device_id = 'poison-t' and new.seq in (13, 37) then"
			+ " signal sqlstate '45000' set message_text = 'test poison: refused by a trigger'; end if";

	@Autowired
	ReadingStore store;

	@Autowired
	StoredReadingRepository readings;

	@Autowired
	QuarantineRepository quarantine;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	DataSource dataSource;

	@Autowired
	MeterRegistry storeMeters;

	final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		String root = TestInfrastructure.uniqueName("writer");
		registry.add("decibel.mqtt.url", TestInfrastructure::mqttUrl);
		registry.add("decibel.mqtt.topic-root", () -> root);
		registry.add("decibel.mqtt.client-id", () -> TestInfrastructure.uniqueName("relay"));
		String database = TestInfrastructure.uniqueName("writer");
		registry.add("spring.datasource.url", () -> TestInfrastructure.jdbcUrl(database));
		registry.add("spring.datasource.username", TestInfrastructure::dbUsername);
		registry.add("spring.datasource.password", TestInfrastructure::dbPassword);
	}

	@Test
	void storesTheGoodReadingsOfABatchAndQuarantinesEachOneTheDatabaseRefuses() {
		// given
		this.jdbc.execute(POISON_TRIGGER);
		List<Reading> batch = new ArrayList<>();
		for (int seq = 0; seq < 50; seq++) {
			batch.add(reading("poison-t", seq));
		}
		// two payloads refused by validation ride in the same batch, and are retried after each split
		List<QuarantinedPayload> refused = List.of(refused("poison-t", "not JSON"), refused("poison-t", "no seq"));

		// when
		List<Ack> acks = writer().write(batch, Instant.now(), refused,
				(i, reason) -> refused(batch.get(i).deviceId(), reason));

		// then
		assertThat(acks).hasSize(50);
		assertThat(acks).filteredOn((ack) -> ack.status() == AckStatus.STORED).hasSize(48);
		assertThat(acks.get(13).status()).isEqualTo(AckStatus.REJECTED);
		assertThat(acks.get(13).reason()).isEqualTo(BatchWriter.DATABASE_REFUSED + "test poison: refused by a trigger");
		assertThat(acks.get(37).status()).isEqualTo(AckStatus.REJECTED);
		assertThat(this.readings.count(deviceIs("poison-t"))).isEqualTo(48);
		assertThat(this.readings.existsById(new ReadingKey("poison-t", 13))).isFalse();
		assertThat(this.readings.existsById(new ReadingKey("poison-t", 14))).isTrue();
		assertThat(this.quarantine.findAll()).filteredOn((row) -> "poison-t".equals(row.getDeviceId()))
			.extracting(QuarantinedPayload::getReason)
			.containsExactlyInAnyOrder("not JSON", "no seq",
					BatchWriter.DATABASE_REFUSED + "test poison: refused by a trigger",
					BatchWriter.DATABASE_REFUSED + "test poison: refused by a trigger");
		assertThat(this.meters.counter("decibel.relay.store.splits").count()).isPositive();
		assertThat(this.meters.counter("decibel.relay.store.retries", "failure", "transient").count()).isZero();
	}

	@Test
	void refusesAReadingAgainstACheckConstraintAndStoresTheRest() {
		// given: a data integrity violation that is not a duplicate key
		this.jdbc.execute("alter table readings add constraint test_poison_check"
				+ " check (device_id <> 'poison-c' or seq <> 7)");
		List<Reading> batch = new ArrayList<>();
		for (int seq = 0; seq < 10; seq++) {
			batch.add(reading("poison-c", seq));
		}

		// when
		List<Ack> acks = writer().write(batch, Instant.now(), List.of(),
				(i, reason) -> refused(batch.get(i).deviceId(), reason));

		// then
		assertThat(acks).extracting(Ack::status).containsOnly(AckStatus.STORED, AckStatus.REJECTED);
		assertThat(acks.get(7).status()).isEqualTo(AckStatus.REJECTED);
		assertThat(acks.get(7).reason()).startsWith(BatchWriter.DATABASE_REFUSED)
			.containsIgnoringCase("test_poison_check");
		assertThat(this.readings.count(deviceIs("poison-c"))).isEqualTo(9);
	}

	@Test
	void answersDuplicateWhenAnotherRelayStoresTheReadingWhileThisOneInsertsIt() throws Exception {
		// given: the store inserts without a look-up
		insertingFirst();
		double keysTaken = keysTaken();
		Instant otherStoredAt = Instant.now().truncatedTo(ChronoUnit.MICROS).minusSeconds(1);

		// when: its insert waits for another relay's lock on the key, and the other commits
		Ack ack = racedByAnotherRelay(reading("raced", 5), otherStoredAt);

		// then: the key is taken; looked up, it is the same reading
		assertThat(ack.status()).isEqualTo(AckStatus.DUPLICATE);
		assertThat(ack.storedAt()).isEqualTo(otherStoredAt);
		assertThat(keysTaken()).isEqualTo(keysTaken + 1);
		assertThat(this.store.looksUpFirst()).isTrue();
	}

	@Test
	void answersDuplicateWhenAnotherRelayStoresTheReadingBetweenTheLookUpAndTheInsert() throws Exception {
		// given: the store looks up first
		lookingUpFirst();
		Instant otherStoredAt = Instant.now().truncatedTo(ChronoUnit.MICROS).minusSeconds(1);

		// when: its look-up misses the other relay's uncommitted row, and its insert waits for the other's lock
		Ack ack = racedByAnotherRelay(reading("raced-looked-up", 5), otherStoredAt);

		// then: the key is there now; looked up again, it is the same reading
		assertThat(ack.status()).isEqualTo(AckStatus.DUPLICATE);
		assertThat(ack.storedAt()).isEqualTo(otherStoredAt);
		assertThat(this.meters.counter("decibel.relay.store.retries", "failure", "duplicate_key").count())
			.isEqualTo(1);
	}

	@Test
	void insertsNewReadingsWithoutALookUpAndLooksUpWhileReadingsComeAgain() {
		// given: a batch of new readings is inserted at once
		insertingFirst();
		double keysTaken = keysTaken();
		Reading two = reading("resender", 2);
		List<Ack> first = this.store.store(List.of(reading("resender", 1), two), Instant.now(), List.of());
		assertThat(first).extracting(Ack::status).containsExactly(AckStatus.STORED, AckStatus.STORED);
		assertThat(keysTaken()).isEqualTo(keysTaken);

		// when: one of them comes again beside a new one
		List<Ack> acks = this.store.store(List.of(two, reading("resender", 3)), Instant.now(), List.of());

		// then: its key is taken, the batch is looked up, and each answer is exact
		assertThat(acks).extracting(Ack::status).containsExactly(AckStatus.DUPLICATE, AckStatus.STORED);
		assertThat(acks.get(0).storedAt()).isEqualTo(first.get(1).storedAt());
		assertThat(keysTaken()).isEqualTo(keysTaken + 1);
		assertThat(this.store.looksUpFirst()).isTrue();
		assertThat(this.readings.count(deviceIs("resender"))).isEqualTo(3);

		// and once a look-up finds none of a batch's keys, batches are inserted without one again
		this.store.store(List.of(reading("resender", 4)), Instant.now(), List.of());
		assertThat(this.store.looksUpFirst()).isFalse();
	}

	@Test
	void answersConflictForAnotherReadingUnderAStoredSeqAndOverwritesNothing() {
		// given
		Reading first = reading("renumbered", 5);
		Reading eight = reading("renumbered", 8);
		List<Ack> stored = this.store.store(List.of(first, eight), Instant.now(), List.of());

		// when: seq 5 again with another reading, seq 9 twice with two readings, seq 8 sent again
		Reading other = withSampledAt(first, first.sampledAt().plusSeconds(60));
		Reading nine = reading("renumbered", 9);
		Reading otherNine = withSampledAt(nine, nine.sampledAt().plusMillis(1));
		List<Ack> acks = this.store.store(List.of(other, nine, otherNine, eight), Instant.now(), List.of());

		// then
		assertThat(acks).extracting(Ack::status)
			.containsExactly(AckStatus.CONFLICT, AckStatus.STORED, AckStatus.CONFLICT, AckStatus.DUPLICATE);
		assertThat(acks.get(0).storedAt()).isEqualTo(stored.get(0).storedAt());
		assertThat(acks.get(0).highestSeq()).isEqualTo(9);
		assertThat(acks.get(2).storedAt()).isEqualTo(acks.get(1).storedAt());
		assertThat(acks.get(2).highestSeq()).isEqualTo(9);
		// each names the reading that holds the seq: stored before, or earlier in the same batch
		assertThat(acks.get(0).heldBy()).isEqualTo(ReadingIdentity.of(first));
		assertThat(acks.get(2).heldBy()).isEqualTo(ReadingIdentity.of(nine));
		assertThat(acks.get(1).heldBy()).isNull();
		StoredReading row = this.readings.findById(new ReadingKey("renumbered", 5)).orElseThrow();
		assertThat(row.getSampledAt()).isEqualTo(first.sampledAt());
		assertThat(this.readings.findById(new ReadingKey("renumbered", 9)).orElseThrow().getSampledAt())
			.isEqualTo(nine.sampledAt());
	}

	@Test
	void keepsDeviceIdsThatDifferOnlyInCaseApart() {
		Reading lower = reading("dev-a", 1);
		List<Ack> acks = this.store.store(List.of(reading("dev-A", 1), lower), Instant.now(), List.of());

		assertThat(acks).extracting(Ack::status).containsExactly(AckStatus.STORED, AckStatus.STORED);
		assertThat(this.readings.existsById(new ReadingKey("dev-A", 1))).isTrue();
		assertThat(this.readings.existsById(new ReadingKey("dev-a", 1))).isTrue();
		assertThat(this.readings.count(deviceIs("dev-A"))).isEqualTo(1);
		// and the look-up of a re-send finds its own device's row only
		assertThat(this.store.store(List.of(lower), Instant.now(), List.of()))
			.extracting(Ack::status)
			.containsExactly(AckStatus.DUPLICATE);
	}

	/** Leaves the store inserting without a look-up: a batch of new keys, looked up or not, finds none taken. */
	private void insertingFirst() {
		this.store.store(List.of(reading(TestInfrastructure.uniqueName("new"), 1)), Instant.now(), List.of());
		assertThat(this.store.looksUpFirst()).isFalse();
	}

	/** Leaves the store looking up first: a reading sent again finds its key taken. */
	private void lookingUpFirst() {
		Reading reading = reading(TestInfrastructure.uniqueName("again"), 1);
		this.store.store(List.of(reading), Instant.now(), List.of());
		this.store.store(List.of(reading), Instant.now(), List.of());
		assertThat(this.store.looksUpFirst()).isTrue();
	}

	private double keysTaken() {
		return this.storeMeters.get("decibel.relay.store.latency").tag("outcome", "key-taken").timer().count();
	}

	/**
	 * Writes the reading while another relay's transaction holds its key, uncommitted; once the writer waits for
	 * that lock, the other relay commits.
	 * @return the reading's answer
	 */
	private Ack racedByAnotherRelay(Reading reading, Instant otherStoredAt) throws Exception {
		try (Connection otherRelay = this.dataSource.getConnection()) {
			otherRelay.setAutoCommit(false);
			insert(otherRelay, reading, otherStoredAt);
			CompletableFuture<List<Ack>> written = CompletableFuture.supplyAsync(() -> writer().write(
					List.of(reading), Instant.now(), List.of(), (i, reason) -> refused(reading.deviceId(), reason)));
			await().atMost(Duration.ofSeconds(30))
				.until(() -> this.jdbc.queryForObject("select count(*) from information_schema.innodb_trx t"
						+ " join information_schema.processlist p on p.id = t.trx_mysql_thread_id"
						+ " where t.trx_state = 'LOCK WAIT' and p.db = database()", Integer.class) > 0);
			otherRelay.commit();
			return written.get(30, TimeUnit.SECONDS).get(0);
		}
	}

	private BatchWriter writer() {
		return new BatchWriter(this.store, Duration.ofMillis(200), () -> true, this.meters);
	}

	private static org.springframework.data.jpa.domain.Specification<StoredReading> deviceIs(String deviceId) {
		return (reading, query, cb) -> cb.equal(reading.get("deviceId"), deviceId);
	}

	private static QuarantinedPayload refused(String deviceId, String reason) {
		return new QuarantinedPayload("writer/" + deviceId + "/noise", deviceId, reason, Instant.now(),
				reason.getBytes());
	}

	private static Reading reading(String deviceId, long seq) {
		return new Reading(deviceId, seq, Instant.now().truncatedTo(ChronoUnit.MILLIS), 1000, 1234.5,
				20 * Math.log10(1234.5 / 32768), 4000, "synthetic");
	}

	private static Reading withSampledAt(Reading reading, Instant sampledAt) {
		return new Reading(reading.deviceId(), reading.seq(), sampledAt, reading.windowMs(), reading.rms(),
				reading.dbfs(), reading.peak(), reading.source());
	}

	private static void insert(Connection connection, Reading reading, Instant storedAt) throws Exception {
		DateTimeFormatter utc = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
		try (PreparedStatement insert = connection.prepareStatement("insert into readings (device_id, seq,"
				+ " sampled_at, received_at, stored_at, window_ms, rms, dbfs, peak, source)"
				+ " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
			insert.setString(1, reading.deviceId());
			insert.setLong(2, reading.seq());
			insert.setString(3, utc.format(reading.sampledAt()));
			insert.setString(4, utc.format(storedAt));
			insert.setString(5, utc.format(storedAt));
			insert.setLong(6, reading.windowMs());
			insert.setDouble(7, reading.rms());
			insert.setDouble(8, reading.dbfs());
			insert.setDouble(9, reading.peak());
			insert.setString(10, reading.source());
			insert.executeUpdate();
		}
	}

}
