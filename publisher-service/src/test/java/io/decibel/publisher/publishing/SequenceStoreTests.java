package io.decibel.publisher.publishing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class SequenceStoreTests {

	@TempDir
	Path stateDir;

	@Test
	void startsAtZeroOnAFreshDevice() {
		// when
		long first = new SequenceStore(this.stateDir, "kitchen").next();

		// then
		assertThat(first).isZero();
	}

	@Test
	void continuesAfterARestartAndNeverRepeats() {
		// given
		SequenceStore beforeRestart = new SequenceStore(this.stateDir, "kitchen");
		List<Long> seqs = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			seqs.add(beforeRestart.next());
		}

		// when
		SequenceStore afterRestart = new SequenceStore(this.stateDir, "kitchen");
		for (int i = 0; i < 3; i++) {
			seqs.add(afterRestart.next());
		}

		// then
		assertThat(seqs).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
	}

	@Test
	void keepsOneCounterPerDeviceAndNoTemporaryFiles() throws Exception {
		// given
		new SequenceStore(this.stateDir, "kitchen").next();
		new SequenceStore(this.stateDir, "garden").next();

		// when
		List<String> files;
		try (Stream<Path> listing = Files.list(this.stateDir)) {
			files = listing.map((file) -> file.getFileName().toString()).toList();
		}

		// then
		assertThat(files).containsExactlyInAnyOrder("kitchen.seq", "garden.seq");
		assertThat(this.stateDir.resolve("kitchen.seq")).hasContent("1");
	}

	@Test
	void refusesACounterItCannotRead() throws Exception {
		// given
		Files.writeString(this.stateDir.resolve("kitchen.seq"), "not a number");

		// when / then: starting again at 0 would repeat seqs
		assertThatIllegalStateException().isThrownBy(() -> new SequenceStore(this.stateDir, "kitchen"))
			.withMessageContaining("kitchen.seq");
	}

}
