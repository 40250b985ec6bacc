package io.decibel.publisher.publishing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class SequenceStoreTests {

	@TempDir
	Path stateDir;

	@Test
	void startsAtZeroWithoutACheckpoint() {
		assertThat(new SequenceStore(this.stateDir, "kitchen").read()).isZero();
	}

	@Test
	void readsBackWhatItCheckpointedPerDeviceAndLeavesNoTemporaryFile() throws Exception {
		// given
		new SequenceStore(this.stateDir, "kitchen").write(7);
		new SequenceStore(this.stateDir, "garden").write(3);

		// when
		List<String> files;
		try (Stream<Path> listing = Files.list(this.stateDir)) {
			files = listing.map((file) -> file.getFileName().toString()).toList();
		}

		// then
		assertThat(new SequenceStore(this.stateDir, "kitchen").read()).isEqualTo(7);
		assertThat(new SequenceStore(this.stateDir, "garden").read()).isEqualTo(3);
		assertThat(files).containsExactlyInAnyOrder("kitchen.seq", "garden.seq");
		assertThat(this.stateDir.resolve("kitchen.seq")).hasContent("7");
	}

	@Test
	void ignoresACheckpointItCannotRead() throws Exception {
		// given: the outbox's log still knows, and a relay answers a repeated seq with CONFLICT
		Files.writeString(this.stateDir.resolve("kitchen.seq"), "not a number");

		// when / then
		assertThat(new SequenceStore(this.stateDir, "kitchen").read()).isZero();
	}

}
