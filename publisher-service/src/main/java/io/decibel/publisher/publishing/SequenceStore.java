package io.decibel.publisher.publishing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A checkpoint of the device's sequence counter, {@code <stateDir>/<deviceId>.seq}: the next seq, in decimal, as of
 * the outbox's last opening, compaction or close. The outbox's log ({@link OutboxLog}) is the authority; the
 * checkpoint is read beside it, so that the numbering survives the loss of the log, and a device that kept only this
 * file carries on from it. Written atomically: a crash leaves the old checkpoint or the new one.
 */
class SequenceStore {

	private static final Logger LOG = LoggerFactory.getLogger(SequenceStore.class);

	private final Path file;

	private final Path temporary;

	SequenceStore(Path stateDir, String deviceId) {
		this.file = stateDir.resolve(deviceId + ".seq");
		// one fixed name: a crash between write and move leaves a file the next write replaces, not litter
		this.temporary = stateDir.resolve(deviceId + ".seq.tmp");
	}

	/** @return the next seq the checkpoint names, 0 when there is none or it cannot be read (said so) */
	long read() {
		if (!Files.exists(this.file)) {
			return 0;
		}
		String text = "";
		try {
			text = Files.readString(this.file, StandardCharsets.US_ASCII).trim();
			long next = Long.parseLong(text);
			if (next >= 0) {
				return next;
			}
		}
		catch (IOException | NumberFormatException ex) {
			// the outbox's log still knows, and a relay answers a repeated seq with CONFLICT and where to continue
		}
		LOG.warn("{} does not hold a sequence number ('{}'): ignored, the outbox's log numbers on", this.file, text);
		return 0;
	}

	/** Checkpoints the next seq: on disk, its directory entry too, when this returns. */
	void write(long next) {
		try {
			try (FileChannel channel = FileChannel.open(this.temporary, StandardOpenOption.CREATE,
					StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
				channel.write(ByteBuffer.wrap(Long.toString(next).getBytes(StandardCharsets.US_ASCII)));
				channel.force(true);
			}
			Files.move(this.temporary, this.file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			OutboxLog.forceDirectory(this.file.getParent());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write " + this.file, ex);
		}
	}

}
