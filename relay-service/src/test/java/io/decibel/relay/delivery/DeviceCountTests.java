package io.decibel.relay.delivery;

import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A device's delivery figures as retention deletes its oldest readings. */
class DeviceCountTests {

	@Test
	void readingsRetentionDeletesLeaveTheFiguresAndAreNotMissing() {
		// given: seqs 0..9 counted, 12 stored since
		DeviceCount device = counted(10, 9L, 0);
		device.stored(12);
		assertThat(device.missing()).isEqualTo(2);

		// when: retention deletes seqs 0..5
		device.retired(6, 6);

		// then
		assertThat(device.storedCount()).isEqualTo(5);
		assertThat(device.missing()).isEqualTo(2);
		assertThat(device.lastSeq()).isEqualTo(12);
	}

	@Test
	void aReadingStoredBelowTheHorizonStaysOutOfTheFigures() {
		DeviceCount device = counted(4, 9L, 6);

		device.stored(3);

		assertThat(device.storedCount()).isEqualTo(4);
		assertThat(device.missing()).isZero();
	}

	@Test
	void aDeviceWhoseReadingsAllWentHasNoneMissing() {
		DeviceCount device = counted(10, 9L, 0);

		device.retired(10, 10);

		assertThat(device.storedCount()).isZero();
		assertThat(device.missing()).isZero();
	}

	@Test
	void anOlderOrRepeatedHorizonChangesNothing() {
		DeviceCount device = counted(10, 9L, 0);
		device.retired(5, 5);

		device.retired(5, 5);
		device.retired(3, 3);

		assertThat(device.storedCount()).isEqualTo(5);
	}

	@Test
	void isCountedAgainAtOnceWhenRetentionDeletedWhileACountRan() {
		// given: a count under way
		DeviceCount device = new DeviceCount("porch");
		assertThat(device.queueCount(0, 0)).isTrue();

		// when: retention deletes before the count is in (its snapshot may or may not hold the deletion)
		device.retired(5, 5);
		assertThat(device.countIn(10, 9L, 0, Set.of(), Set.of(), 1)).isTrue();

		// then: counted again, and the second count's figures stand
		assertThat(device.countAgain()).isTrue();
		assertThat(device.countAgain()).isFalse();
		assertThat(device.countIn(5, 9L, 5, Set.of(), Set.of(), 2)).isTrue();
		assertThat(device.countAgain()).isFalse();
		assertThat(device.storedCount()).isEqualTo(5);
		assertThat(device.missing()).isZero();
	}

	private static DeviceCount counted(long stored, Long lastSeq, long retainedFrom) {
		DeviceCount device = new DeviceCount("porch");
		device.queueCount(0, 0);
		device.countIn(stored, lastSeq, retainedFrom, Set.of(), Set.of(), 0);
		return device;
	}

}
