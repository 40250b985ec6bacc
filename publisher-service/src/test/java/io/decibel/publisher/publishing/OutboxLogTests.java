package io.decibel.publisher.publishing;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import io.decibel.contract.Reading;
import io.decibel.contract.TelemetryCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class OutboxLogTests {

	private final TelemetryCodec codec = new TelemetryCodec();

	@TempDir
	Path stateDir;

	@Test
	void aNewLogHoldsNothingAndNumbersFromZero() throws Exception {
		// when
		OutboxLog.Opened opened = open();
		opened.log().close();

		// then
		assertThat(opened.pending()).isEmpty();
		assertThat(opened.next()).isZero();
	}

	@Test
	void keepsWhatWasAppendedAndNotSettledAcrossAReopen() throws Exception {
		// given
		OutboxLog log = open().log();
		for (long seq = 0; seq < 4; seq++) {
			log.appendReading(reading(seq));
		}
		log.append(OutboxLog.SETTLED, 1);
		log.append(OutboxLog.SETTLED, 3);
		log.write(log.drain());
		log.close();

		// when
		OutboxLog.Opened reopened = open();
		reopened.log().close();

		// then: the highest seq ever numbered counts, settled or not
		assertThat(reopened.pending().values()).containsExactly(reading(0), reading(2));
		assertThat(reopened.next()).isEqualTo(4);
		assertThat(reopened.records()).isEqualTo(6);
	}

	@Test
	void aCounterMovedOnWithoutAReadingIsKept() throws Exception {
		// given
		OutboxLog log = open().log();
		log.appendReading(reading(0));
		log.append(OutboxLog.NEXT, 42);
		log.write(log.drain());
		log.close();

		// when
		OutboxLog.Opened reopened = open();
		reopened.log().close();

		// then
		assertThat(reopened.next()).isEqualTo(42);
	}

	@Test
	void whatIsAppendedButNotWrittenIsNotThereAfterACrash() throws Exception {
		// given
		OutboxLog log = open().log();
		log.appendReading(reading(0));
		log.write(log.drain());
		log.appendReading(reading(1));
		log.close();

		// when
		OutboxLog.Opened reopened = open();
		reopened.log().close();

		// then
		assertThat(reopened.pending().keySet()).containsExactly(0L);
		assertThat(reopened.next()).isEqualTo(1);
	}

	@Test
	void compactionKeepsThePendingReadingsAndTheCounterInAFileOfTheirSize() throws Exception {
		// given: a thousand readings, all but two settled
		OutboxLog log = open().log();
		for (long seq = 0; seq < 1000; seq++) {
			log.appendReading(reading(seq));
			if (seq != 500 && seq != 998) {
				log.append(OutboxLog.SETTLED, seq);
			}
		}
		log.write(log.drain());
		long before = log.size();

		// when
		log.replace(log.compacted(List.of(reading(500), reading(998)), 1000));
		log.appendReading(reading(1000));
		log.write(log.drain());
		long after = log.size();
		log.close();
		OutboxLog.Opened reopened = open();
		reopened.log().close();

		// then
		assertThat(after).isLessThan(before / 100);
		assertThat(reopened.pending().keySet()).containsExactly(500L, 998L, 1000L);
		assertThat(reopened.next()).isEqualTo(1001);
		assertThat(reopened.records()).isEqualTo(4);
		assertThat(this.stateDir.resolve("kitchen.outbox.tmp")).doesNotExist();
	}

	@Test
	void aTornTailIsCutAndSaidSoAndTheRecordsBeforeItAreKept(CapturedOutput output) throws Exception {
		// given: the last record only partly on disk, as a crash in mid-write leaves it
		writeThree();
		long size = Files.size(file());
		try (RandomAccessFile file = new RandomAccessFile(file().toFile(), "rw")) {
			file.setLength(size - 7);
		}

		// when
		OutboxLog.Opened reopened = open();
		long sizeAfter = reopened.log().size();
		reopened.log().close();

		// then
		assertThat(reopened.pending().keySet()).containsExactly(0L, 1L);
		assertThat(reopened.next()).isEqualTo(2);
		assertThat(sizeAfter).isLessThan(size - 7);
		assertThat(output).contains("Outbox " + file() + ": cut ", "a record cut short");
	}

	@Test
	void aRecordFailingItsChecksumEndsTheLogThere(CapturedOutput output) throws Exception {
		// given: a byte of the second reading's JSON flipped
		writeThree();
		byte[] bytes = Files.readAllBytes(file());
		int second = indexOf(bytes, "\"seq\":1".getBytes());
		bytes[second + 3] ^= 0x20;
		Files.write(file(), bytes);

		// when
		OutboxLog.Opened reopened = open();
		reopened.log().appendReading(reading(5));
		reopened.log().write(reopened.log().drain());
		reopened.log().close();
		OutboxLog.Opened again = open();
		again.log().close();

		// then: the log goes on after the cut
		assertThat(reopened.pending().keySet()).containsExactly(0L);
		assertThat(output).contains("a record failing its checksum");
		assertThat(again.pending().keySet()).containsExactly(0L, 5L);
	}

	@Test
	void aFileThatIsNoOutboxIsStartedAfresh(CapturedOutput output) throws Exception {
		// given
		Files.writeString(file(), "17");

		// when
		OutboxLog.Opened opened = open();
		opened.log().close();

		// then
		assertThat(opened.pending()).isEmpty();
		assertThat(output).contains("not an outbox of this format");
	}

	private void writeThree() throws Exception {
		OutboxLog log = open().log();
		for (long seq = 0; seq < 3; seq++) {
			log.appendReading(reading(seq));
		}
		log.write(log.drain());
		log.close();
	}

	private OutboxLog.Opened open() throws Exception {
		return OutboxLog.open(file(), this.codec);
	}

	private Path file() {
		return this.stateDir.resolve("kitchen.outbox");
	}

	private static int indexOf(byte[] bytes, byte[] part) {
		for (int i = 0; i <= bytes.length - part.length; i++) {
			int j = 0;
			while (j < part.length && bytes[i + j] == part[j]) {
				j++;
			}
			if (j == part.length) {
				return i;
			}
		}
		throw new IllegalArgumentException("not found");
	}

	static Reading reading(long seq) {
		return new Reading("kitchen", seq, Instant.parse("2026-01-31T12:00:00.123456Z").plusMillis(seq), 1000,
				100.25, -50.5, 300, "synthetic");
	}

}
